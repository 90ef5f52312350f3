package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.store.TestDatabase;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A newer agent announces a check of a kind this coordinator has never heard of: the hello is taken, the check is
 * shown and stored, and its results are judged as up or down like any other.
 */
class UnknownCheckTypeTest {

  private static final String AGENT = "newer-host";

  private final String schema = TestDatabase.newSchema();
  private final ScheduledExecutorService keepalives = Executors.newSingleThreadScheduledExecutor();
  private Fleet fleet;
  private NewerAgent agent;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    fleet.store("store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n");
    fleet.startCoordinator(AGENT);
  }

  @AfterEach
  void stop() {
    keepalives.shutdownNow();
    if (agent != null) {
      agent.socket.abort();
    }
    fleet.close();
    TestDatabase.dropSchema(schema);
  }

  @Test
  @DisplayName("a hello with a check of type \"quantum\" is accepted; the check is shown, judged, and kept across "
    + "a coordinator restart")
  void unknownTypeIsAccepted() throws Exception {
    agent = NewerAgent.connect(fleet.coordinatorPort());
    PolicySpec d = PolicySpec.defaults();
    PolicySpec reportOnly = new PolicySpec(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, null, 1, Duration.ZERO,
      false, Duration.ZERO, d.budget(), d.backoff(), false);
    CheckSpec quantum = new CheckSpec("entangler", CheckType.of("quantum"), null, "qubits 0-7 on /dev/qpu0",
      reportOnly, Map.of("team", "physics"));
    JsonObject reply = agent.request(Addresses.AGENT_HELLO,
      new AgentHello(AGENT, "host-of-" + AGENT, "99.0", List.of(quantum), List.of()).toJson());
    assertThat(reply.getValue("failureCode")).as("hello refused: %s", reply).isNull();
    keepalives.scheduleAtFixedRate(() -> agent.send(Addresses.AGENT_KEEPALIVE,
      new Keepalive(AGENT, Instant.now(), 1, 0.0, 0, 0).toJson()), 0, 300, TimeUnit.MILLISECONDS);

    agent.report(1, Outcome.UP, "coherent");
    fleet.await("the quantum check healthy", Duration.ofSeconds(10),
      () -> "healthy".equals(fleet.state(AGENT, "entangler")));
    JsonObject shown = fleet.check(AGENT, "entangler").orElseThrow();
    assertThat(shown.getString("type")).isEqualTo("quantum");
    assertThat(shown.getString("target")).isEqualTo("qubits 0-7 on /dev/qpu0");

    agent.report(2, Outcome.DOWN, "decoherence at qubit 3");
    agent.report(3, Outcome.DOWN, "decoherence at qubit 3");
    fleet.await("the quantum check unhealthy", Duration.ofSeconds(10),
      () -> "unhealthy".equals(fleet.state(AGENT, "entangler")));
    JsonObject last = fleet.check(AGENT, "entangler").orElseThrow().getJsonObject("lastResult");
    assertThat(last.getString("outcome")).isEqualTo("down");
    assertThat(last.getString("detail")).isEqualTo("decoherence at qubit 3");

    fleet.await("report 3 stored (taken is acknowledged before stored)", Duration.ofSeconds(10), () -> {
      try (java.sql.Connection db = TestDatabase.jdbc(schema); java.sql.ResultSet rows = db.createStatement()
        .executeQuery("SELECT last_seq FROM agents WHERE agent_id = '" + AGENT + "'")) {
        return rows.next() && rows.getLong(1) >= 3;
      } catch (Exception e) {
        return false;
      }
    });
    keepalives.shutdownNow();
    agent.socket.abort();
    fleet.stopCoordinator();
    fleet.startCoordinator(AGENT);
    JsonObject restored = fleet.check(AGENT, "entangler").orElseThrow();
    assertThat(restored.getString("type")).isEqualTo("quantum");
    assertThat(restored.getString("phase")).isEqualTo("unhealthy");
  }

  /** An agent of a newer version, speaking the bridge's frames over a raw WebSocket. */
  private static final class NewerAgent implements WebSocket.Listener {
    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static NewerAgent connect(int port) throws Exception {
      NewerAgent agent = new NewerAgent();
      agent.socket = HttpClient.newHttpClient().newWebSocketBuilder()
        .header("Authorization", "Bearer " + Fleet.TOKEN + AGENT)
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/bus/websocket"), agent).get(5, TimeUnit.SECONDS);
      return agent;
    }

    synchronized void send(String address, JsonObject body) {
      socket.sendText(new JsonObject().put("type", "send").put("address", address).put("body", body).encode(), true)
        .join();
    }

    JsonObject request(String address, JsonObject body) throws InterruptedException {
      String replyAddress = UUID.randomUUID().toString();
      synchronized (this) {
        socket.sendText(new JsonObject().put("type", "send").put("address", address).put("body", body)
          .put("replyAddress", replyAddress).encode(), true).join();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        JsonObject frame = frames.poll(100, TimeUnit.MILLISECONDS);
        if (frame != null && replyAddress.equals(frame.getString("address"))) {
          return frame.containsKey("failureCode") ? frame : frame.getJsonObject("body");
        }
      }
      throw new AssertionError("no reply on " + address);
    }

    void report(long seq, Outcome outcome, String detail) throws InterruptedException {
      Report result = new ProbeResult(AGENT, seq, "entangler", Instant.now(), outcome, Duration.ofMillis(3), detail);
      JsonObject ack = request(Addresses.AGENT_REPORTS,
        new ReportBatch(AGENT, Instant.now(), List.of(result)).toJson());
      assertThat(ack.getLong("takenSeq")).as("report %s taken: %s", seq, ack).isEqualTo(seq);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(new JsonObject(partial.toString()));
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      return onText(webSocket, new String(bytes), last);
    }
  }
}
