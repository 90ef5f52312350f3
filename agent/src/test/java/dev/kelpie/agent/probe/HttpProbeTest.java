package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What an HTTP check asks, on which connection, and what it makes of a server that is not there. */
class HttpProbeTest {

  private final Vertx serverVertx = Vertx.vertx();
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
    serverVertx.close().await();
  }

  @Test
  @DisplayName("every probe asks on a connection of its own, closed after the answer, for the URL's path and query, "
    + "with Connection: close, the agent's name and the URL's host and port")
  void freshConnectionPerProbe() {
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer server = serverVertx.createHttpServer()
      .connectionHandler(connection -> {
        opened.incrementAndGet();
        connection.closeHandler(v -> closed.incrementAndGet());
      })
      .requestHandler(request -> {
        asked.add(describe(request));
        request.response().end("{\"status\":\"up\"}");
      });
    int port = server.listen(0, "127.0.0.1").await().actualPort();

    harness = new ProbeHarness("checks:\n  - {id: web, type: http, url: \"http://127.0.0.1:" + port
      + "/health/db?verbose=1&x=%20y\", interval: 200ms, expectBody: up}\n");
    List<ProbeResult> results = harness.await("web", 3);

    assertThat(results).extracting(ProbeResult::outcome).containsOnly(Outcome.UP);
    assertThat(results).extracting(ProbeResult::detail).containsOnly("HTTP 200");
    assertThat(asked).hasSizeGreaterThanOrEqualTo(3).containsOnly(
      "GET /health/db?verbose=1&x=%20y host=127.0.0.1:" + port + " connection=close user-agent=kelpie-agent");
    harness.awaitResults("web", list -> closed.get() >= 3 && opened.get() >= asked.size());
  }

  @Test
  @DisplayName("a port nobody listens on is down, the refusal in the detail")
  void refusedConnection() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    harness = new ProbeHarness("checks:\n  - {id: gone, type: http, url: \"http://127.0.0.1:" + port
      + "/health\", interval: 200ms}\n");
    List<ProbeResult> results = harness.await("gone", 2);

    assertThat(results).allSatisfy(result -> {
      assertThat(result.outcome()).isEqualTo(Outcome.DOWN);
      assertThat(result.detail()).isEqualTo("AnnotatedConnectException: Connection refused: /127.0.0.1:" + port);
    });
  }

  private static String describe(HttpServerRequest request) {
    return request.method() + " " + request.uri() + " host=" + request.headers().get("Host")
      + " connection=" + request.headers().get("Connection") + " user-agent=" + request.headers().get("User-Agent");
  }
}
