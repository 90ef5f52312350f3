package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The port's front door against a real coordinator over real sockets: security headers on everything, a foreign
 * {@code Host} from this machine refused (DNS rebinding), half-sent requests closed by the header timeout, and
 * connections per client address limited.
 */
class FrontDoorTest {

  private Vertx vertx;

  private int start(String http) throws Exception {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("http: {host: 127.0.0.1, port: 0" + http + "}\n"
      + "access: {localViewing: true}\n", "front-door.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    vertx = Coordinator.newVertx(registry);
    return Coordinator.deploy(vertx, config, Clock.systemUTC(), registry).await().port();
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("nosniff and Referrer-Policy on the page, its files, the API and metrics; the page's CSP has no unsafe-inline")
  void headersEverywhere() throws Exception {
    int port = start("");
    for (String path : List.of("/", "/ui/app.js", "/ui/style.css", "/api/checks", "/api/no/such", "/metrics")) {
      RawHttp.Response response = RawHttp.get(port, path, "127.0.0.1:" + port);
      assertThat(response.headers()).as(path).containsEntry("x-content-type-options", "nosniff")
        .containsEntry("referrer-policy", "no-referrer");
    }
    String csp = RawHttp.get(port, "/", "localhost:" + port).headers().get("content-security-policy");
    assertThat(csp).contains("style-src 'self'").doesNotContain("unsafe-inline");
  }

  @Test
  @DisplayName("with localViewing, a request from this machine naming another host is refused; its own names are served")
  void foreignHostRefused() throws Exception {
    int port = start("");
    RawHttp.Response rebound = RawHttp.get(port, "/api/checks", "attacker.example:" + port);
    assertThat(rebound.status()).isEqualTo(421);
    assertThat(rebound.body()).contains("not 'attacker.example'").doesNotContain("checks\":");
    assertThat(RawHttp.get(port, "/", "attacker.example").status()).isEqualTo(421);
    for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "127.0.0.2:" + port)) {
      assertThat(RawHttp.get(port, "/api/checks", host).status()).as(host).isEqualTo(200);
    }
    // through a proxy on this machine it is no local viewer at all: 401, not the fleet
    assertThat(RawHttp.get(port, "/api/checks", "kelpie.example", "X-Forwarded-For: 203.0.113.9").status())
      .isEqualTo(401);
  }

  @Test
  @DisplayName("300 half-sent requests are all closed by the header timeout, and the port still answers")
  void slowloris() throws Exception {
    int port = start(", headerTimeout: 2s, maxConnectionsPerAddress: 1000");
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        Socket socket = RawHttp.open("127.0.0.1", port);
        socket.getOutputStream().write(("GET /api/checks HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i + ": ")
          .getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }
      assertThat(RawHttp.get(port, "/ready", "127.0.0.1").status()).as("served beside them").isEqualTo(200);
      long closed = slow.stream().takeWhile(RawHttp::closedByServer).count();
      assertThat(closed).as("half-sent requests closed within the socket's 20 s read timeout").isEqualTo(300);
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  @DisplayName("connections beyond http.maxConnectionsPerAddress from one address are closed; another address is served")
  void connectionsPerAddress() throws Exception {
    int port = start(", maxConnectionsPerAddress: 5");
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        held.add(RawHttp.open("127.0.0.3", port));
      }
      Socket sixth = RawHttp.open("127.0.0.3", port);
      held.add(sixth);
      assertThat(RawHttp.closedByServer(sixth)).isTrue();
      try (Socket other = RawHttp.open("127.0.0.4", port)) {
        other.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 200");
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }
}
