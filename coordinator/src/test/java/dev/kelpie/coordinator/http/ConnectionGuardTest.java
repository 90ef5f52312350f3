package dev.kelpie.coordinator.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The count of open connections per address goes down when a connection closes, whichever side closes it. */
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
