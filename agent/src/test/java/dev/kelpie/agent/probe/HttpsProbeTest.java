package dev.kelpie.agent.probe;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * HTTPS checks against real TLS servers whose certificates the test makes with the JDK's keytool: verified against a
 * check's own CA file or not verified at all, a warning in the detail as the certificate nears its end, and an
 * expired certificate down whether verified or not.
 */
class HttpsProbeTest {

  private static final String PASSWORD = "changeit";

  @TempDir
  static Path certs;

  private final Vertx serverVertx = Vertx.vertx();
  private final List<ProbeHarness> harnesses = new ArrayList<>();

  /** Self-signed for localhost and 127.0.0.1: one valid for a year, one ending in 3 days, one expired last week. */
  @BeforeAll
  static void makeCertificates() throws Exception {
    keytool("-genkeypair", "-alias", "s", "-keyalg", "EC", "-keystore", store("fresh"), "-storetype", "PKCS12",
      "-storepass", PASSWORD, "-dname", "CN=fresh.test", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
      "-validity", "365");
    keytool("-genkeypair", "-alias", "s", "-keyalg", "EC", "-keystore", store("ending"), "-storetype", "PKCS12",
      "-storepass", PASSWORD, "-dname", "CN=ending.test", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
      "-validity", "3");
    keytool("-genkeypair", "-alias", "s", "-keyalg", "EC", "-keystore", store("expired"), "-storetype", "PKCS12",
      "-storepass", PASSWORD, "-dname", "CN=expired.test", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
      "-startdate", "-10d", "-validity", "3");
    keytool("-genkeypair", "-alias", "s", "-keyalg", "EC", "-keystore", store("elsewhere"), "-storetype", "PKCS12",
      "-storepass", PASSWORD, "-dname", "CN=elsewhere.test", "-ext", "SAN=dns:elsewhere.test", "-validity", "365");
    for (String name : List.of("fresh", "ending", "expired", "elsewhere")) {
      keytool("-exportcert", "-rfc", "-alias", "s", "-keystore", store(name), "-storepass", PASSWORD, "-file",
        certs.resolve(name + ".pem").toString());
    }
  }

  @AfterEach
  void stop() {
    harnesses.forEach(ProbeHarness::close);
    serverVertx.close().await();
  }

  @Test
  @DisplayName("verified against its CA file a fresh certificate is up; unverified and untrusted ones say so; one "
    + "ending within certificateWarning is up with a warning; an expired one is down, verified or not; a trusted one "
    + "made out to another name is down unless unverified")
  void certificates() throws Exception {
    int fresh = serve("fresh");
    int ending = serve("ending");
    int expired = serve("expired");
    int elsewhere = serve("elsewhere");
    java.time.Instant expiredOn = expiry("expired");
    ProbeHarness harness = harness("checks:\n"
      + check("trusted", fresh, "caFile: \"" + certs.resolve("fresh.pem") + "\"")
      + check("untrusted", fresh, "verifyCertificate: true")
      + check("unverified", fresh, "verifyCertificate: false")
      + check("ending", ending, "caFile: \"" + certs.resolve("ending.pem") + "\", certificateWarning: 14d")
      + check("ending-quiet", ending, "caFile: \"" + certs.resolve("ending.pem") + "\", certificateWarning: 1d")
      + check("expired-unverified", expired, "verifyCertificate: false")
      + check("expired-verified", expired, "caFile: \"" + certs.resolve("expired.pem") + "\"")
      + check("other-name", elsewhere, "caFile: \"" + certs.resolve("elsewhere.pem") + "\"")
      + check("other-name-unverified", elsewhere, "verifyCertificate: false"));

    assertThat(first(harness, "trusted")).satisfies(r -> assertThat(r.up()).as(r.detail()).isTrue())
      .extracting(ProbeResult::detail).isEqualTo("HTTP 200");
    assertThat(first(harness, "untrusted")).satisfies(r -> {
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).startsWith("TLS handshake failed (certificate verified): ");
    });
    assertThat(first(harness, "unverified").detail()).isEqualTo("HTTP 200");
    assertThat(first(harness, "ending")).satisfies(r -> {
      assertThat(r.up()).as("a warning keeps the check healthy").isTrue();
      assertThat(r.detail()).matches("HTTP 200; warning: certificate of CN=ending\\.test expires in [23] days?, on .*");
    });
    assertThat(first(harness, "ending-quiet").detail()).isEqualTo("HTTP 200");
    assertThat(first(harness, "expired-unverified")).satisfies(r -> {
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).startsWith("certificate of CN=expired.test expired on ")
        .endsWith("(not verified, but expired all the same)");
    });
    assertThat(first(harness, "expired-verified")).satisfies(r -> {
      assertThat(r.up()).as("the JDK takes an expired trust anchor; the check does not").isFalse();
      assertThat(r.detail()).isEqualTo("certificate of CN=expired.test expired on " + expiredOn);
    });
    assertThat(first(harness, "other-name")).satisfies(r -> {
      assertThat(r.up()).as("trusted, but made out to another name than the URL's").isFalse();
      assertThat(r.detail()).startsWith("TLS handshake failed (certificate verified): ").contains("localhost");
    });
    assertThat(first(harness, "other-name-unverified").detail()).isEqualTo("HTTP 200");
  }

  @Test
  @DisplayName("TLS keys on a plain http url, and a CA file that cannot be read or comes with verification off, are "
    + "refused, naming the key")
  void refusedConfig() {
    String yaml = "agent: {id: a}\ncoordinator: {url: \"ws://127.0.0.1:1/bus\", token: t}\nchecks:\n"
      + "  - {id: plain, type: http, url: \"http://127.0.0.1:1/\", verifyCertificate: false}\n"
      + "  - {id: missing, type: http, url: \"https://127.0.0.1:1/\", caFile: /no/such.pem}\n"
      + "  - {id: both, type: http, url: \"https://127.0.0.1:1/\", verifyCertificate: false, caFile: \""
      + certs.resolve("fresh.pem") + "\"}\n";
    assertThatThrownBy(() -> AgentConfig.fromYaml(yaml, "agent.yaml", Map.of()))
      .hasMessageContaining("checks[0].verifyCertificate: only for an https:// url")
      .hasMessageContaining("checks[1].caFile: cannot read /no/such.pem")
      .hasMessageContaining("checks[2].caFile: trusted certificates make no sense with verifyCertificate: false");
  }

  private int serve(String name) {
    return serverVertx.createHttpServer(new HttpServerOptions().setSsl(true)
        .setKeyCertOptions(new PfxOptions().setPath(store(name)).setPassword(PASSWORD)))
      .requestHandler(request -> request.response().end("ok")).listen(0, "127.0.0.1").await().actualPort();
  }

  private ProbeHarness harness(String yaml) {
    ProbeHarness harness = new ProbeHarness(yaml);
    harnesses.add(harness);
    return harness;
  }

  /** The first result that is not a cold start's timeout: the first TLS handshake of a JVM is slow on a busy host. */
  private static ProbeResult first(ProbeHarness harness, String checkId) {
    List<ProbeResult> seen = harness.awaitResults(checkId, results -> results.stream()
      .anyMatch(r -> !r.detail().startsWith("no answer within")));
    return seen.stream().filter(r -> !r.detail().startsWith("no answer within")).findFirst().orElseThrow();
  }

  private static String check(String id, int port, String tls) {
    return "  - {id: " + id + ", type: http, url: \"https://localhost:" + port + "/\", interval: 1s, timeout: 10s, "
      + "connectTimeout: 10s, "
      + tls + "}\n";
  }

  private static java.time.Instant expiry(String name) throws Exception {
    try (var in = Files.newInputStream(certs.resolve(name + ".pem"))) {
      return ((java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
        .generateCertificate(in)).getNotAfter().toInstant();
    }
  }

  private static String store(String name) {
    return certs.resolve(name + ".p12").toString();
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
      .toString(), "-noprompt"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
    assertThat(Files.exists(certs)).isTrue();
  }
}
