package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP health probe on a fresh connection every time (opened for the probe and closed after the answer; no
 * keep-alive, no proxy), with connect and response timeouts apart, so a wedged worker behind a port that still accepts
 * connections is caught. The connection is the probes' plain client's, with Netty's HTTP/1.1 codec put on it: no
 * pool, request and response objects of Vert.x's HTTP client for a request that is the same every time (less CPU
 * for the agent on a busy host, README). At most the first 256 KiB of a body are kept and judged; a longer one is judged there.
 */
final class HttpProbe implements Probe {

  private static final int MAX_BODY = 64 * 1024;
  private static final int MAX_JSON = 256 * 1024;
  private static final AsciiString USER_AGENT = AsciiString.cached("kelpie-agent");

  private final Vertx vertx;
  private final NetClient client;
  private final HttpTarget target;

  private final ClientSSLOptions tls;
  private final Clock clock;
  /** What each probe asks, worked out once from the check's URL: a probe runs every few seconds for months. */
  private final ConnectOptions connect;
  private final String uri;
  private final HttpMethod method;
  private final HttpHeaders headers;
  private final long responseTimeoutNanos;

  HttpProbe(HttpTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.client = tools.tcp();
    this.target = target;
    this.clock = tools.clock();
    this.tls = target.https() ? tls(target) : null;
    URI url = target.url();
    String host = url.getHost();
    int port = url.getPort() != -1 ? url.getPort() : target.https() ? 443 : 80;
    this.uri = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
      + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    this.method = HttpMethod.valueOf(target.method());
    this.connect = new ConnectOptions().setHost(host).setPort(port)
      .setTimeout((int) Math.min(Integer.MAX_VALUE, target.connectTimeout().toMillis()));
    if (tls != null) {
      connect.setSsl(true).setSslOptions(tls);
      if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
        connect.setSniServerName(host);   // as a browser would: the name, so a server of several sites knows which
      }
    }
    this.headers = new DefaultHttpHeaders()
      .add(HttpHeaderNames.HOST, port == (target.https() ? 443 : 80) ? host : host + ":" + port)
      .add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
      .add(HttpHeaderNames.USER_AGENT, USER_AGENT);
    if (method == HttpMethod.POST || method == HttpMethod.PUT) {
      headers.add(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    }
    this.responseTimeoutNanos = target.responseTimeout().toNanos();
  }

  /** Verified: the JDK's roots or the check's own PEM file, and the host name checked; else anything is taken. */
  private static ClientSSLOptions tls(HttpTarget target) {
    ClientSSLOptions options = new ClientSSLOptions();
    if (!target.verifyCertificate()) {
      return options.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    options.setHostnameVerificationAlgorithm("HTTPS");
    // the JDK's roots named explicitly: Vert.x caches TLS contexts by trust options, and a context made for a check
    // with verifyCertificate: false (no trust options, trust all) would otherwise serve the verified checks too
    return options.setTrustOptions(target.caFile() != null
      ? new PemTrustOptions().addCertPath(target.caFile().toString()) : JdkRoots.TRUST);
  }

  /** The JDK's default trusted roots (its cacerts, or javax.net.ssl.trustStore), read once. */
  private static final class JdkRoots {
    static final TrustOptions TRUST = load();

    private static TrustOptions load() {
      try {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return TrustOptions.wrap(factory);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JDK's trusted roots cannot be read: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return client.connect(connect)
      .compose(socket -> new Exchange((NetSocketInternal) socket, cancellation).answer)
      .otherwise(this::explain);
  }

  /**
   * One request and its answer on a connection of its own, through Netty's HTTP codec put in front of the socket's
   * handler: the request written as one message, the answer read as the codec's parts (status and headers, then the
   * body's chunks), no more of the body kept than is judged. The connection is closed once the answer is judged, or
   * when nothing came for the response timeout, or when the probe is cancelled.
   */
  private final class Exchange {
    final Promise<Finding> promised = Promise.promise();
    final Future<Finding> answer;
    private final NetSocketInternal socket;
    private HttpResponse response;
    private final Buffer body = Buffer.buffer();
    private long bodyLength;
    private long lastHeard = System.nanoTime();
    private long timer = -1;

    Exchange(NetSocketInternal socket, Cancellation cancellation) {
      this.socket = socket;
      this.answer = promised.future().eventually(() -> {
        vertx.cancelTimer(timer);
        return socket.close().otherwiseEmpty();
      });
      socket.channelHandlerContext().pipeline().addBefore("handler", "http", new HttpClientCodec());
      socket.messageHandler(this::heard);
      socket.exceptionHandler(promised::tryFail);
      socket.closeHandler(v -> promised.tryFail(new VertxException("connection closed before the answer was complete",
        true)));
      cancellation.onCancel(socket::close);
      idleAfter(responseTimeoutNanos);
      socket.writeMessage(request()).onFailure(promised::tryFail);
    }

    /** The request, new each time: Netty releases a message once written. */
    private FullHttpRequest request() {
      return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER, headers.copy(),
        EmptyHttpHeaders.INSTANCE);
    }

    /** Fails with a timeout once nothing came for the response timeout (looked at again when something did). */
    private void idleAfter(long nanos) {
      timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)), id -> {
        long quiet = System.nanoTime() - lastHeard;
        if (quiet >= responseTimeoutNanos) {
          promised.tryFail(new TimeoutException("no answer within " + target.responseTimeout()));
        } else if (!promised.future().isComplete()) {
          idleAfter(responseTimeoutNanos - quiet);
        }
      });
    }

    private void heard(Object message) {
      try {
        lastHeard = System.nanoTime();
        if (message instanceof HttpObject part && part.decoderResult().isFailure()) {
          promised.tryFail(new VertxException("not an HTTP answer: " + part.decoderResult().cause().getMessage(),
            true));
          return;
        }
        if (message instanceof HttpResponse head) {
          if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return;   // 100 Continue and the like: the answer follows
          }
          response = head;
        }
        if (message instanceof HttpContent chunk && response != null) {
          ByteBuf content = chunk.content();
          int keep = (int) Math.min(content.readableBytes(), Math.max(0, MAX_JSON + 1 - body.length()));
          if (keep > 0) {
            byte[] bytes = new byte[keep];
            content.getBytes(content.readerIndex(), bytes);
            body.appendBytes(bytes);
          }
          bodyLength += content.readableBytes();
          // past what is judged the rest changes nothing: judged now, the connection closed, an endless body too
          if (message instanceof LastHttpContent || bodyLength > MAX_JSON) {
            promised.tryComplete(judge(socket, response, body, bodyLength));
          }
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }
  }

  /** Failed conditions come first, so the detail says "db: down (expected up)" rather than only "HTTP 503". */
  private Finding judge(NetSocket socket, HttpResponse response, Buffer body, long bodyLength) {
    CertificateCheck certificate = tls == null ? CertificateCheck.NONE : certificate(socket);
    if (certificate.expired() != null) {
      return Finding.down(certificate.expired());
    }
    Finding finding = judge(response.status().code(), body, bodyLength);
    return certificate.warning() == null ? finding
      : new Finding(finding.up(), finding.detail() + "; " + certificate.warning());
  }

  /** An expired certificate (down, whoever trusts it), or one expiring within the warning (a warning in the detail). */
  private record CertificateCheck(String expired, String warning) {
    static final CertificateCheck NONE = new CertificateCheck(null, null);
  }

  private CertificateCheck certificate(NetSocket socket) {
    X509Certificate leaf;
    try {
      List<Certificate> chain = socket.peerCertificates();
      if (chain.isEmpty() || !(chain.get(0) instanceof X509Certificate first)) {
        return CertificateCheck.NONE;
      }
      leaf = first;
    } catch (SSLPeerUnverifiedException e) {
      return CertificateCheck.NONE;
    }
    Instant now = clock.instant();
    Instant notAfter = leaf.getNotAfter().toInstant();
    String subject = leaf.getSubjectX500Principal().getName();
    if (now.isAfter(notAfter)) {
      return new CertificateCheck("certificate of " + subject + " expired on " + notAfter
        + (target.verifyCertificate() ? "" : " (not verified, but expired all the same)"), null);
    }
    Duration left = Duration.between(now, notAfter);
    if (left.compareTo(target.certificateWarning()) <= 0) {
      String in = left.toDays() >= 1 ? left.toDays() + (left.toDays() == 1 ? " day" : " days")
        : left.toHours() >= 1 ? left.toHours() + " h" : left.toMinutes() + " min";
      return new CertificateCheck(null, "warning: certificate of " + subject + " expires in " + in + ", on "
        + notAfter);
    }
    return CertificateCheck.NONE;
  }

  /** {@code body} holds the first bytes of the answer's {@code bodyLength}, more than are judged when there are. */
  private Finding judge(int statusCode, Buffer body, long bodyLength) {
    List<String> failures = target.conditions().isEmpty() ? List.of() : failedConditions(body, bodyLength);
    String status = "HTTP " + statusCode;
    if (statusCode != target.expectStatus()) {
      return Finding.down(withFailures(failures, status + ", expected " + target.expectStatus()));
    }
    if (target.expectBody() != null) {
      String text = body.length() > MAX_BODY ? body.getString(0, MAX_BODY) : body.toString();
      if (!text.contains(target.expectBody())) {
        return Finding.down(withFailures(failures, status + " without '" + target.expectBody() + "' in the body"));
      }
    }
    return failures.isEmpty() ? Finding.up(status) : Finding.down(withFailures(failures, status));
  }

  private List<String> failedConditions(Buffer body, long bodyLength) {
    if (bodyLength > MAX_JSON) {
      return List.of("body over " + MAX_JSON / 1024 + " KiB, conditions not judged");
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      return List.of("body is not JSON, conditions not judged");
    }
    List<String> failures = new ArrayList<>();
    target.conditions().forEach(condition -> condition.failure(json).ifPresent(failures::add));
    return failures;
  }

  private static String withFailures(List<String> failures, String status) {
    return failures.isEmpty() ? status : String.join("; ", failures) + "; " + status;
  }

  private Finding explain(Throwable failure) {
    if (failure instanceof ConnectTimeoutException) {
      return Finding.down("no connection within " + Durations.human(target.connectTimeout()));
    }
    if (failure instanceof TimeoutException) {
      return Finding.down("no answer within " + Durations.human(target.responseTimeout()));
    }
    if (failure instanceof SSLException) {
      Throwable root = failure;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return Finding.down("TLS handshake failed" + (target.verifyCertificate() ? " (certificate verified)" : "")
        + ": " + root.getMessage());
    }
    return Finding.down(failure.getClass().getSimpleName() + ": " + failure.getMessage());
  }
}
