package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an HTTP check asks, on which connection, and what it makes of a server that is not there, of a body that never
 * ends and of an answer that is not HTTP.
 */
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

  @Test
  @DisplayName("an answer whose body never ends is judged on its first 256 KiB, not read until the check times out")
  void endlessBody() {
    AtomicLong sent = new AtomicLong();
    HttpServer server = serverVertx.createHttpServer().requestHandler(request -> {
      HttpServerResponse response = request.response().setChunked(true);
      Buffer chunk = Buffer.buffer("{\"status\":\"up\", \"padding\": \"" + "x".repeat(16 * 1024));
      serverVertx.setPeriodic(1, id -> {
        if (response.closed()) {
          serverVertx.cancelTimer(id);
        } else if (!response.writeQueueFull()) {
          response.write(chunk);
          sent.addAndGet(chunk.length());
        }
      });
    });
    int port = server.listen(0, "127.0.0.1").await().actualPort();

    harness = new ProbeHarness("checks:\n  - {id: stream, type: http, url: \"http://127.0.0.1:" + port
      + "/\", interval: 1s, timeout: 20s, expectBody: up}\n"
      + "  - {id: streamed-json, type: http, url: \"http://127.0.0.1:" + port
      + "/\", interval: 1s, timeout: 20s, conditions: {status: '$.status == \"up\"'}}\n");

    assertThat(harness.await("stream", 2)).allSatisfy(result -> {
      assertThat(result.outcome()).isEqualTo(Outcome.UP);
      assertThat(result.detail()).isEqualTo("HTTP 200");
      assertThat(result.latency()).isLessThan(Duration.ofSeconds(5));
    });
    assertThat(harness.await("streamed-json", 2)).allSatisfy(result -> {
      assertThat(result.outcome()).isEqualTo(Outcome.DOWN);
      assertThat(result.detail()).isEqualTo("body over 256 KiB, conditions not judged; HTTP 200");
    });
  }

  @Test
  @DisplayName("a HEAD is answered without a body, its Content-Length notwithstanding; a POST says it sends none")
  void headAndPost() {
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer server = serverVertx.createHttpServer().requestHandler(request -> {
      asked.add(request.method() + " content-length=" + request.getHeader("Content-Length"));
      if (request.method() == HttpMethod.HEAD) {
        request.response().putHeader("Content-Length", "1000").end();
      } else {
        request.response().end("created");
      }
    });
    int port = server.listen(0, "127.0.0.1").await().actualPort();

    harness = new ProbeHarness("checks:\n  - {id: head, type: http, method: HEAD, url: \"http://127.0.0.1:" + port
      + "/\", interval: 200ms, timeout: 2s}\n  - {id: post, type: http, method: POST, url: \"http://127.0.0.1:"
      + port + "/\", interval: 200ms, timeout: 2s, expectBody: created}\n");

    assertThat(harness.await("head", 2)).extracting(ProbeResult::detail).containsOnly("HTTP 200");
    assertThat(harness.await("post", 2)).extracting(ProbeResult::detail).containsOnly("HTTP 200");
    assertThat(asked).contains("HEAD content-length=null", "POST content-length=0");
  }

  @Test
  @DisplayName("a server that answers something else than HTTP is down, saying so")
  void notHttp() {
    NetServer server = serverVertx.createNetServer()
      .connectHandler(socket -> socket.handler(request -> socket.end(Buffer.buffer("SSH-2.0-OpenSSH_9.2\r\n"))));
    int port = server.listen(0, "127.0.0.1").await().actualPort();

    harness = new ProbeHarness("checks:\n  - {id: ssh, type: http, url: \"http://127.0.0.1:" + port
      + "/\", interval: 200ms, timeout: 2s}\n");

    assertThat(harness.await("ssh", 2)).allSatisfy(result -> {
      assertThat(result.outcome()).isEqualTo(Outcome.DOWN);
      assertThat(result.detail()).startsWith("VertxException: not an HTTP answer: ");
    });
  }

  private static String describe(HttpServerRequest request) {
    return request.method() + " " + request.uri() + " host=" + request.headers().get("Host")
      + " connection=" + request.headers().get("Connection") + " user-agent=" + request.headers().get("User-Agent");
  }
}
