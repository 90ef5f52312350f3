package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.net.ClientSSLOptions;
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
import java.util.concurrent.TimeoutException;

/**
 * An HTTP health probe on a fresh connection every time (opened for the probe, outside any pool, and closed after the
 * answer; no keep-alive, no proxy), with connect and response timeouts apart, so a wedged worker behind a port that
 * still accepts connections is caught.
 */
final class HttpProbe implements Probe {

  private static final int MAX_BODY = 64 * 1024;
  private static final int MAX_JSON = 256 * 1024;
  private static final CharSequence USER_AGENT = HttpHeaders.createOptimized("kelpie-agent");

  private final HttpClientAgent client;
  private final HttpTarget target;

  private final ClientSSLOptions tls;
  private final Clock clock;
  /** What each probe asks, worked out once from the check's URL: a probe runs every few seconds for months. */
  private final HttpConnectOptions connect;
  private final String host;
  private final int port;
  private final String uri;
  private final HttpMethod method;

  HttpProbe(HttpTarget target, ProbeTools tools) {
    this.client = tools.http();
    this.target = target;
    this.clock = tools.clock();
    this.tls = target.https() ? tls(target) : null;
    URI url = target.url();
    this.host = url.getHost();
    this.port = url.getPort() != -1 ? url.getPort() : target.https() ? 443 : 80;
    this.uri = (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
      + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    this.method = HttpMethod.valueOf(target.method());
    this.connect = new HttpConnectOptions().setHost(host).setPort(port)
      .setConnectTimeout(target.connectTimeout().toMillis());
    if (tls != null) {
      connect.setSsl(true).setSslOptions(tls);
    }
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
      .compose(connection -> ask(connection, cancellation)
        .eventually(() -> connection.close().otherwiseEmpty()))
      .otherwise(this::explain);
  }

  private Future<Finding> ask(HttpClientConnection connection, Cancellation cancellation) {
    RequestOptions options = new RequestOptions()
      .setHost(host)
      .setPort(port)
      .setURI(uri)
      .setMethod(method)
      .setIdleTimeout(target.responseTimeout().toMillis())
      .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
      .putHeader(HttpHeaders.USER_AGENT, USER_AGENT);
    cancellation.onCancel(() -> connection.close());
    return connection.request(options)
      .compose(HttpClientRequest::send)
      .compose(this::judge);
  }

  /** Failed conditions come first, so the detail says "db: down (expected up)" rather than only "HTTP 503". */
  private Future<Finding> judge(HttpClientResponse response) {
    CertificateCheck certificate = tls == null ? CertificateCheck.NONE : certificate(response);
    return response.body().map(body -> {
      if (certificate.expired() != null) {
        return Finding.down(certificate.expired());
      }
      Finding finding = judge(response, body);
      return certificate.warning() == null ? finding
        : new Finding(finding.up(), finding.detail() + "; " + certificate.warning());
    });
  }

  /** An expired certificate (down, whoever trusts it), or one expiring within the warning (a warning in the detail). */
  private record CertificateCheck(String expired, String warning) {
    static final CertificateCheck NONE = new CertificateCheck(null, null);
  }

  private CertificateCheck certificate(HttpClientResponse response) {
    X509Certificate leaf;
    try {
      List<Certificate> chain = response.request().connection().peerCertificates();
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

  private Finding judge(HttpClientResponse response, Buffer body) {
    List<String> failures = target.conditions().isEmpty() ? List.of() : failedConditions(body);
    String status = "HTTP " + response.statusCode();
    if (response.statusCode() != target.expectStatus()) {
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

  private List<String> failedConditions(Buffer body) {
    if (body.length() > MAX_JSON) {
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
