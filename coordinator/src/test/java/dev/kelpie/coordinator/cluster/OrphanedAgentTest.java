package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.alert.WebhookReceiver;
import dev.kelpie.coordinator.cluster.CoordinatorCluster.Node;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

import static dev.kelpie.coordinator.cluster.CoordinatorCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent whose host dies together with its coordinator: two real coordinator processes on one PostgreSQL schema, a
 * real agent (its own Vert.x) connected to one of them, and a real webhook receiver. Only the owner tracks an agent's
 * silence, so the survivor must notice the orphan by its lease.
 */
class OrphanedAgentTest {

  private static final String AGENT = "ag-orphan";
  private static final Duration LOST_AFTER = Duration.ofSeconds(8);
  /** The lease term (3 s in these clusters) twice over: its expiry, the grace for agents still alive, a look. */
  private static final Duration MARGIN = Duration.ofSeconds(6);

  @RegisterExtension
  final CoordinatorCluster.LogsOnFailure logs = new CoordinatorCluster.LogsOnFailure();

  private CoordinatorCluster cluster;
  private WebhookReceiver receiver;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    receiver = new WebhookReceiver();
    cluster = logs.watch(new CoordinatorCluster(dir, List.of(AGENT)).configure(LOST_AFTER.toSeconds() + "s",
      "alerts:\n  receivers: [{name: hook, type: webhook, url: \"" + receiver.url()
        + "\", secret: orphan-secret-0123456789}]\n  group: {window: 100ms}\n"));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
    receiver.close();
  }

  @Test
  @DisplayName("an agent and its coordinator killed -9 together: the other coordinator shows the agent lost within "
    + "lostAfter and a margin, in its API, with one agent_lost alert delivered")
  void agentAndOwnerDieTogether() throws Exception {
    List<Node> nodes = startOwnedByFirst();
    Node a = nodes.get(0);
    Node b = nodes.get(1);

    Instant lastReport = Instant.now();   // reports came every 500 ms until here
    cluster.killAgent(AGENT);
    a.process().destroyForcibly();
    Instant killed = Instant.now();

    JsonObject lost = await(() -> shownBy(b, agent -> agent.getBoolean("lost", false)),
      LOST_AFTER.plus(MARGIN).plusSeconds(10), "b shows the agent lost");
    Duration after = Duration.between(killed, Instant.now());
    System.out.println("orphaned agent shown lost by the survivor " + after.toMillis() + " ms after the kill: " + lost);
    assertThat(after).as("shown lost within lostAfter and a margin").isLessThan(LOST_AFTER.plus(MARGIN));
    assertThat(Duration.between(lastReport, Instant.now())).as("not called lost before lostAfter of silence")
      .isGreaterThan(LOST_AFTER.minusSeconds(1));
    assertThat(lost.getString("coordinator")).as("watched by the survivor").isEqualTo(b.id());
    assertThat(lost.getBoolean("connected")).isFalse();

    await(() -> lostAlerts() > 0 ? true : null, Duration.ofSeconds(15), "an agent_lost alert at the receiver");
    assertThat(cluster.count("SELECT count(*) FROM alerts WHERE body->>'kind' = 'agent_lost' AND body->>'agentId' = '"
      + AGENT + "'")).as("one agent_lost alert recorded").isEqualTo(1);
    assertThat(Files.readString(b.log())).as("b's log").contains("agent lost: nothing heard for");
    Thread.sleep(2_000);   // a second alert, if one were raised, has had its time to arrive
    assertThat(lostAlerts()).as("the agent_lost alert, once").isEqualTo(1);
  }

  @Test
  @DisplayName("an agent called lost (and alerted) by its coordinator, then that coordinator killed -9: the other "
    + "coordinator takes it over lost, alerts nothing again, and alerts its return")
  void lostAgentOrphanedLater() throws Exception {
    List<Node> nodes = startOwnedByFirst();
    Node a = nodes.get(0);
    Node b = nodes.get(1);

    cluster.killAgent(AGENT);
    await(() -> lostAlerts() > 0 ? true : null, LOST_AFTER.plus(MARGIN).plusSeconds(10),
      "a's agent_lost alert at the receiver");
    a.process().destroyForcibly();

    JsonObject adopted = await(() -> shownBy(b, agent -> b.id().equals(agent.getString("coordinator"))),
      MARGIN.plusSeconds(30), "b watching the orphan");
    boolean lostWhenAdopted = adopted.getBoolean("lost", false);
    Thread.sleep(3_000);   // ticks of b, and an alert window, had their time to raise and deliver a second alert
    assertThat(lostAlerts()).as("the agent_lost alert, once for one outage").isEqualTo(1);
    assertThat(cluster.count("SELECT count(*) FROM alerts WHERE body->>'kind' = 'agent_lost' AND body->>'agentId' = '"
      + AGENT + "'")).as("one agent_lost alert recorded").isEqualTo(1);
    assertThat(Files.readString(b.log())).as("b's log").doesNotContain("agent lost: nothing heard for");
    assertThat(lostWhenAdopted).as("shown lost from the moment b took it over").isTrue();

    cluster.startAgent(AGENT, List.of(b), "checks:\n  - {id: alive, type: process, service: svc, interval: 500ms}\n");
    await(() -> alerts("agent_back") > 0 ? true : null, Duration.ofSeconds(30), "an agent_back alert from b");
    assertThat(lostAlerts()).as("still the one agent_lost alert").isEqualTo(1);
  }

  /** Two coordinators and the agent, owned by the first and its service seen up in the store. */
  private List<Node> startOwnedByFirst() throws Exception {
    List<Node> nodes = cluster.start(2);
    Node a = nodes.get(0);
    cluster.startAgent(AGENT, nodes, "checks:\n  - {id: alive, type: process, service: svc, interval: 500ms}\n");
    await(() -> cluster.holder(AGENT, a.id()), Duration.ofSeconds(60), "the agent owned by a");
    await(() -> cluster.count("SELECT count(*) FROM results WHERE agent_id = '" + AGENT + "' AND up") > 0 ? true
      : null, Duration.ofSeconds(60), "the agent's service seen up");
    return nodes;
  }

  /** The agent as {@code node}'s API shows it, when it matches {@code shown}; else null. */
  private JsonObject shownBy(Node node, Predicate<JsonObject> shown) throws Exception {
    JsonObject fleet = new JsonObject(cluster.get(node, "/api/agents").body());
    return fleet.getJsonArray("agents").stream().map(JsonObject.class::cast)
      .filter(agent -> AGENT.equals(agent.getString("agentId")) && shown.test(agent))
      .findFirst().orElse(null);
  }

  private long lostAlerts() {
    return alerts("agent_lost");
  }

  private long alerts(String kind) {
    return receiver.accepted().stream().flatMap(request -> request.json().getJsonArray("alerts").stream())
      .map(JsonObject.class::cast)
      .filter(alert -> kind.equals(alert.getString("kind")) && AGENT.equals(alert.getString("agentId")))
      .count();
  }
}
