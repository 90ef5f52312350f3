package dev.kelpie.coordinator.http;

import dev.kelpie.agent.Agent;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.access.BearerToken;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTPS and WSS on a real coordinator with certificates from a throwaway CA made by the test: agents by token (the
 * current or the previous one) or by client certificate (identity from its CN); a certificate from another CA, an
 * expired one and a connection without credentials refused; a plain-text client served nothing; the server's
 * certificate replaced on disk and served without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {

  private static final String API_TOKEN = "tls-test-api-token";

  private Path dir;
  private TestCertificates ca;
  private TestCertificates other;
  private Path serverCert;
  private Path serverKey;
  private Vertx coordinatorVertx;
  private Vertx clients;
  private final List<Vertx> agents = new ArrayList<>();
  private int port;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("kelpie-tls");
    ca = new TestCertificates(dir, "kelpie-ca");
    other = new TestCertificates(dir, "other-ca");
    Path[] server = ca.server("server");
    serverCert = dir.resolve("coordinator.crt");
    serverKey = dir.resolve("coordinator.key");
    Files.copy(server[0], serverCert);
    Files.copy(server[1], serverKey);
    CoordinatorConfig config = CoordinatorConfig.fromYaml("http: {host: 127.0.0.1, port: 0}\n"
      + "tls: {cert: \"" + serverCert + "\", key: \"" + serverKey + "\", agentCa: \"" + ca.caCert() + "\", "
      + "agentAuth: either, reloadCheck: 1s}\n"
      + "agents:\n  - {id: token-agent, token: new-token, previousToken: old-token}\n  - {id: cert-agent}\n"
      + "access:\n  tokens: [{name: script, role: operator, tokenSha256: " + BearerToken.sha256(API_TOKEN) + "}]\n",
      "tls.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    coordinatorVertx = Coordinator.newVertx(registry);
    port = Coordinator.deploy(coordinatorVertx, config, Clock.systemUTC(), registry).await().port();
    clients = Vertx.vertx();
  }

  @AfterAll
  void stop() {
    agents.forEach(vertx -> vertx.close().await());
    clients.close().await();
    coordinatorVertx.close().await();
  }

  @Test
  @DisplayName("the API over HTTPS with the PEM certificate; a plain-text client is served nothing")
  void httpsAndPlainText() throws Exception {
    assertThat(agentsJson().getJsonArray("agents")).isNotNull();
    try (Socket plain = RawHttp.open("127.0.0.1", port)) {
      plain.getOutputStream().write("GET /api/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(plain.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).doesNotContain("agents").doesNotStartWith("HTTP/1.1 200");
    }
  }

  @Test
  @DisplayName("agents connect over wss by their token, by the previous token, or by a client certificate alone")
  void agentsConnect() throws Exception {
    Path[] certificate = ca.client("cert-agent", "cert-agent", 2);
    startAgent("cert-agent", null, "    cert: \"" + certificate[0] + "\"\n    key: \"" + certificate[1] + "\"\n");
    startAgent("token-agent", "old-token", "");
    await("both agents connected over wss", () -> connected("cert-agent") && connected("token-agent"));
  }

  @Test
  @DisplayName("a certificate from another CA, an expired one, and no credentials at all are refused")
  void refused() throws Exception {
    Path[] foreign = other.client("foreign", "cert-agent", 2);
    Path[] expired = ca.client("expired", "cert-agent", 0);
    Path[] unknown = ca.client("unknown", "nobody-we-know", 2);
    await("the expired certificate's moment passed", () -> {
      try {
        X509Certificate cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(Files.newInputStream(expired[0]));
        return cert.getNotAfter().getTime() < System.currentTimeMillis() - 1000;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(bridgeRefused(foreign)).as("another CA").isTrue();
    assertThat(bridgeRefused(expired)).as("expired").isTrue();
    assertThat(bridgeRefused(unknown)).as("a CN that is no configured agent").isTrue();
    assertThat(bridgeRefused(null)).as("neither certificate nor token").isTrue();
  }

  @Test
  @DisplayName("a new certificate written over the files is served to new connections without a restart")
  void reloaded() throws Exception {
    long before = servedSerial();
    Path[] renewed = ca.server("renewed");
    Files.copy(renewed[1], serverKey, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed[0], serverCert, StandardCopyOption.REPLACE_EXISTING);
    long expected = ((X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
      .generateCertificate(Files.newInputStream(serverCert))).getSerialNumber().longValueExact();
    assertThat(expected).isNotEqualTo(before);
    await("the renewed certificate served", () -> servedSerial() == expected);
    assertThat(agentsJson().getJsonArray("agents")).isNotNull();
  }

  private void startAgent(String id, String token, String clientTls) throws Exception {
    String yaml = "agent: {id: " + id + ", stateDir: \"" + dir.resolve("state-" + id) + "\"}\n"
      + "coordinator:\n  url: wss://127.0.0.1:" + port + "/bus\n" + (token == null ? "" : "  token: " + token + "\n")
      + "  reconnect: {initial: 200ms, max: 1s}\n"
      + "  tls:\n    ca: \"" + ca.caCert() + "\"\n" + clientTls;
    AgentConfig config = AgentConfig.fromYaml(yaml, id + ".yaml", Map.of());
    Vertx vertx = Vertx.vertx();
    agents.add(vertx);
    Agent.deploy(vertx, config, "host-of-" + id, Clock.systemUTC()).await();
  }

  /** Whether the bridge refuses this connection: the TLS handshake fails, or the socket is closed at once. */
  private boolean bridgeRefused(Path[] certificate) throws Exception {
    WebSocketClientOptions options = new WebSocketClientOptions().setSsl(true).setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(ca.caCert().toString()));
    if (certificate != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate[0].toString())
        .setKeyPath(certificate[1].toString()));
    }
    CompletableFuture<Boolean> refused = new CompletableFuture<>();
    clients.createWebSocketClient(options).connect(new WebSocketConnectOptions()
        .setAbsoluteURI("wss://127.0.0.1:" + port + "/bus/websocket"))
      .onFailure(failure -> refused.complete(true))
      .onSuccess(socket -> socket.closeHandler(closed -> refused.complete(true)));
    return refused.get(15, TimeUnit.SECONDS);
  }

  private boolean connected(String agentId) {
    return agentsJson().getJsonArray("agents").stream().map(JsonObject.class::cast)
      .anyMatch(agent -> agentId.equals(agent.getString("agentId")) && agent.getBoolean("connected", false));
  }

  private JsonObject agentsJson() {
    var client = clients.createHttpClient(trusting());
    try {
      return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(
          "https://127.0.0.1:" + port + "/api/agents").putHeader("Authorization", "Bearer " + API_TOKEN))
        .compose(request -> request.send()).compose(response -> response.body())
        .map(body -> body.toJsonObject()).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      client.close();
    }
  }

  private long servedSerial() {
    var client = clients.createHttpClient(trusting().setKeepAlive(false));
    try {
      return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(
          "https://127.0.0.1:" + port + "/ready"))
        .compose(request -> request.send().map(response -> {
          try {
            return ((X509Certificate) request.connection().peerCertificates().get(0)).getSerialNumber()
              .longValueExact();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      client.close();
    }
  }

  private HttpClientOptions trusting() {
    return new HttpClientOptions().setSsl(true).setVerifyHost(true)
      .setTrustOptions(new PemTrustOptions().addCertPath(ca.caCert().toString()));
  }

  private static void await(String what, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(condition.get())) {
        return;
      }
      Future.future(promise -> { }).timeout(200, TimeUnit.MILLISECONDS).otherwiseEmpty().await();
    }
    throw new AssertionError("timed out after 30s waiting for: " + what);
  }
}
