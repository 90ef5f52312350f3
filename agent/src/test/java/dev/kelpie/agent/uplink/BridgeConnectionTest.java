package dev.kelpie.agent.uplink;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One bridge connection against a bridge end that answers a request only when its body says {@code answer: true}:
 * the frames on the wire are the bridge protocol's, replies complete their requests, and a request left unanswered
 * fails at its own timeout, however many others come and go meanwhile. Style: the test thread awaits futures and
 * polls what the bridge end received.
 */
class BridgeConnectionTest {

  private final Vertx coordinator = Vertx.vertx();
  private final Vertx agent = Vertx.vertx();
  private final Context loop = agent.getOrCreateContext();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private BridgeConnection connection;

  @BeforeEach
  void connect() {
    HttpServer server = coordinator.createHttpServer().webSocketHandler(socket -> socket.textMessageHandler(text -> {
      received.add(text);
      JsonObject frame = new JsonObject(text);
      JsonObject body = frame.getJsonObject("body");
      if (frame.getString("replyAddress") != null && body.getBoolean("answer", false)) {
        socket.writeTextMessage(new JsonObject().put("type", "rec").put("address", frame.getString("replyAddress"))
          .put("body", new JsonObject().put("echo", body.getValue("n"))).encode());
      }
    })).listen(0, "127.0.0.1").await();
    WebSocketClient client = agent.createWebSocketClient();
    connection = onAgent(() -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
      .setPort(server.actualPort()).setURI("/bus")).map(socket -> new BridgeConnection(agent, socket, closed -> { })))
      .await();
  }

  @AfterEach
  void close() {
    agent.close().await();
    coordinator.close().await();
  }

  /** Runs {@code action} on the agent's event loop, as the uplink does. */
  private <T> Future<T> onAgent(Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> action.get().onComplete(done));
    return done.future();
  }

  private Future<JsonObject> request(JsonObject body, Duration timeout) {
    return onAgent(() -> connection.request("agent.reports", body, timeout));
  }

  /** When {@code request} failed, in System.nanoTime(); the failure must be a reply timeout. */
  private static Future<Long> timedOut(Future<JsonObject> request) {
    return request.transform(done -> {
      assertThat(done.cause()).isInstanceOf(ReplyException.class);
      assertThat(((ReplyException) done.cause()).failureType()).isEqualTo(ReplyFailure.TIMEOUT);
      return Future.succeededFuture(System.nanoTime());
    });
  }

  @Test
  @DisplayName("a request, a message and a ping go out as the bridge protocol's JSON frames")
  void frames() throws InterruptedException {
    JsonObject answered = request(new JsonObject().put("answer", true).put("n", 1).put("text", "é \"quoted\""),
      Duration.ofSeconds(5)).await();
    loop.runOnContext(v -> {
      connection.send("agent.keepalive", new JsonObject().put("n", 2));
      connection.ping();
    });
    awaitReceived(3);

    assertThat(answered).isEqualTo(new JsonObject().put("echo", 1));
    JsonObject sent = new JsonObject(received.get(0));
    assertThat(sent.fieldNames()).containsExactly("type", "address", "body", "replyAddress");
    assertThat(sent.getString("type")).isEqualTo("send");
    assertThat(sent.getJsonObject("body")).isEqualTo(new JsonObject().put("answer", true).put("n", 1)
      .put("text", "é \"quoted\""));
    assertThat(received.get(1)).isEqualTo(new JsonObject().put("type", "send").put("address", "agent.keepalive")
      .put("body", new JsonObject().put("n", 2)).encode());
    assertThat(received.get(2)).isEqualTo("{\"type\":\"ping\"}");
  }

  @Test
  @DisplayName("an unanswered request fails at its own timeout, even one shorter than another's still waiting")
  void timeouts() {
    long start = System.nanoTime();
    Future<Long> slow = timedOut(request(new JsonObject().put("n", 1), Duration.ofMillis(1500)));
    Future<Long> quick = timedOut(request(new JsonObject().put("n", 2), Duration.ofMillis(200)));
    for (int n = 3; n < 10; n++) {
      assertThat(request(new JsonObject().put("answer", true).put("n", n), Duration.ofSeconds(5)).await())
        .isEqualTo(new JsonObject().put("echo", n));
    }

    assertThat((quick.await() - start) / 1e6).isBetween(200.0, 700.0);
    assertThat((slow.await() - start) / 1e6).isBetween(1500.0, 2500.0);
  }

  private void awaitReceived(int frames) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (received.size() < frames) {
      assertThat(System.nanoTime()).as("frames received in time: %s", received).isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
