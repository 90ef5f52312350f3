package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.cluster.CoordinatorCluster.Node;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.kelpie.coordinator.cluster.CoordinatorCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "the dashboard on node B shows a change of an agent owned by node C within a second", as the page sees
 * it: node B's live feed ({@code /live/websocket}, registered as the page's live.js does), two real coordinator
 * processes on one PostgreSQL schema, and a real agent connected to C.
 */
class ClusterLiveFeedTest {

  private static final String AGENT = "ag-live";

  @RegisterExtension
  final CoordinatorCluster.LogsOnFailure logs = new CoordinatorCluster.LogsOnFailure();

  private CoordinatorCluster cluster;

  @TempDir
  Path dir;

  @BeforeEach
  void start() {
    cluster = logs.watch(new CoordinatorCluster(dir, List.of(AGENT)));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  @DisplayName("a check of an agent owned by node C silenced on C: node B's live feed carries the change, naming C, "
    + "within a second")
  void changeOnOneNodeReachesAnotherNodesPage() throws Exception {
    List<Node> nodes = cluster.start(2);
    Node b = nodes.get(0);
    Node c = nodes.get(1);
    cluster.startAgent(AGENT, List.of(c, b), "checks:\n  - {id: alive, type: process, service: svc, interval: 500ms}\n");
    await(() -> cluster.holder(AGENT, c.id()), Duration.ofSeconds(60), "the agent owned by c");

    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    String base = "http://127.0.0.1:" + b.httpPort();
    WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", base)
      .buildAsync(URI.create(base.replace("http", "ws") + "/live/websocket"), new Collect(frames))
      .get(10, TimeUnit.SECONDS);
    try {
      socket.sendText("{\"type\":\"register\",\"address\":\"kelpie.dashboard.changes\"}", true).get();
      // the registration reaches the other nodes through the cluster: silence until b carries one, then measure one
      await(() -> {
        silence(c, "1m");
        return awaitChange(frames, 1000);
      }, Duration.ofSeconds(30), "b's live feed carrying c's changes at all");
      frames.clear();

      silence(c, "2m");
      long recorded = System.nanoTime();
      JsonObject change = awaitChange(frames, 5000);
      assertThat(change).as("the silence on b's live feed").isNotNull();
      long took = millisSince(recorded);
      System.out.println("b's live feed carried c's change " + took + " ms after c recorded it");
      assertThat(took).as("ms from c's answer to b's live frame").isLessThan(1000);
      assertThat(change.getString("coordinator")).as("the change names its owner").isEqualTo(c.id());
    } finally {
      socket.abort();
    }
  }

  private void silence(Node node, String duration) throws Exception {
    HttpResponse<String> silenced = cluster.post(node, "/api/agents/" + AGENT + "/checks/alive/silence",
      "{\"duration\": \"" + duration + "\", \"reason\": \"cluster test\"}");
    assertThat(silenced.statusCode()).as(silenced.body()).isBetween(200, 299);
  }

  /** The first change of the agent's silence on the feed within {@code millis}, or null. */
  private static JsonObject awaitChange(LinkedBlockingQueue<String> frames, long millis) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < until) {
      String frame = frames.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())),
        TimeUnit.MILLISECONDS);
      JsonObject body = frame == null ? null : new JsonObject(frame).getJsonObject("body");
      if (body != null && body.encode().contains(AGENT) && body.encode().contains("silencedUntil\":\"2")) {
        return body;
      }
    }
    return null;
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static final class Collect implements WebSocket.Listener {

    private final LinkedBlockingQueue<String> frames;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    Collect(LinkedBlockingQueue<String> frames) {
      this.frames = frames;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.writeBytes(data.toString().getBytes(StandardCharsets.UTF_8));
      flush(webSocket, last);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      flush(webSocket, last);
      return null;
    }

    private void flush(WebSocket webSocket, boolean last) {
      if (last) {
        frames.add(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
      }
      webSocket.request(1);
    }
  }
}
