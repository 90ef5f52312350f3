package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.config.TlsSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The count of open connections per address goes down when a connection closes, whichever side closes it; a sweep
 * that runs late on a busy loop does not count the loop's own lateness against the clients.
 */
class ConnectionGuardTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("WebSockets closed by the server or by the client, and plain requests, leave nothing counted")
  void closedConnectionsAreNotCounted() {
    ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();
    ConnectionGuard guard = new ConnectionGuard(Duration.ofSeconds(10), 5, open);
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setHttp2ClearTextEnabled(false))
      .connectionHandler(guard::connected)
      .webSocketHandler(ws -> {
        if ("/server-closes".equals(ws.path())) {
          vertx.setTimer(5, id -> ws.close());   // once the handshake is done
        }
      })
      .requestHandler(request -> request.response().end("ok"))
      .listen().await();
    WebSocketClient client = vertx.createWebSocketClient();
    for (int i = 0; i < 20; i++) {   // four times the limit: a leaked count would refuse the later ones
      WebSocket byClient = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/client-closes")).await();
      byClient.close().await();
      WebSocket byServer = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(server.actualPort()).setURI("/server-closes")).await();
      within(Duration.ofSeconds(5), byServer::isClosed);
    }
    within(Duration.ofSeconds(5), open::isEmpty);
    assertThat(open).as("open connections counted per address").isEmpty();
  }

  @Test
  @DisplayName("after the port's loop was busy for longer than headerTimeout, a client whose request waited in its "
    + "socket is answered, and a half-sent request is still closed")
  void lateSweepJudgesOnlyTimeTheClientsHad() throws Exception {
    ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();
    AtomicBoolean stalling = new AtomicBoolean();
    Routes routes = router -> {
      router.get("/stall").handler(context -> {
        stalling.set(true);
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
          Thread.onSpinWait();   // the loop is busy on purpose: as thousands of agents' frames would keep it
        }
        context.response().end("stalled");
      });
      router.get("/hello").handler(context -> context.response().end("hello"));
      return Future.succeededFuture();
    };
    HttpVerticle http = new HttpVerticle(new CoordinatorConfig.Http("127.0.0.1", 0, Duration.ofSeconds(3),
      Duration.ofSeconds(60), 1000), TlsSettings.NONE, 65536, ready -> List.of(routes), open, new PortOpening(1));
    vertx.deployVerticle(http).await();
    int port = http.actualPort();
    try (Socket slow = RawHttp.open("127.0.0.5", port); Socket healthy = RawHttp.open("127.0.0.6", port);
         Socket staller = RawHttp.open("127.0.0.7", port)) {
      slow.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        .getBytes(StandardCharsets.US_ASCII));
      // all but the last line end: the loop is made busy the moment it gets it, with healthy counted just before
      staller.getOutputStream().write("GET /stall HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      List<String> addresses = List.of("127.0.0.5", "127.0.0.6", "127.0.0.7");
      within(Duration.ofSeconds(5), () -> open.keySet().containsAll(addresses));
      assertThat(open).as("the connections seen by the guard").containsKeys(addresses.toArray(String[]::new));

      staller.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
      within(Duration.ofSeconds(5), stalling::get);
      assertThat(stalling).as("the loop busy").isTrue();
      healthy.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));

      String answer = new String(healthy.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).as("the request sent while the loop was busy, answered").startsWith("HTTP/1.1 200")
        .endsWith("hello");
      assertThat(new String(staller.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).endsWith("stalled");
      assertThat(RawHttp.closedByServer(slow)).as("the half-sent request closed all the same").isTrue();
    }
  }

  private static void within(Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      try {
        Thread.sleep(10);   // polling a condition, not waiting for time to pass
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
