package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
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
 * An HTTP health probe on a fresh connection every time (no pool, no keep-alive, no proxy), with connect and
 * response timeouts apart, so a wedged worker behind a port that still accepts connections is caught.
 */
final class HttpProbe implements Probe {

  private static final int MAX_BODY = 64 * 1024;
  private static final int MAX_JSON = 256 * 1024;

  private final HttpClient client;
  private final HttpTarget target;

  private final ClientSSLOptions tls;
  private final Clock clock;

  HttpProbe(HttpTarget target, ProbeTools tools) {
    this.client = tools.http();
    this.target = target;
    this.clock = tools.clock();
    this.tls = target.https() ? tls(target) : null;
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
    RequestOptions options = new RequestOptions()
      .setAbsoluteURI(target.url().toString())
      .setMethod(HttpMethod.valueOf(target.method()))
      .setConnectTimeout(target.connectTimeout().toMillis())
      .setIdleTimeout(target.responseTimeout().toMillis())
      .putHeader("Connection", "close")
      .putHeader("User-Agent", "kelpie-agent");
    if (tls != null) {
      options.setSsl(true).setSslOptions(tls);
    }
    return client.request(options)
      .compose(request -> send(request, cancellation))
      .compose(this::judge)
      .otherwise(this::explain);
  }

  private static Future<HttpClientResponse> send(HttpClientRequest request, Cancellation cancellation) {
    cancellation.onCancel(() -> request.reset());
    return request.send();
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
