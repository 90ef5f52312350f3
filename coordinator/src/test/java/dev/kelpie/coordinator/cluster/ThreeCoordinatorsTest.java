package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.cluster.CoordinatorCluster.Node;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.kelpie.coordinator.cluster.CoordinatorCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real coordinator processes in a cluster on one PostgreSQL schema and six real agents spread over them (agent
 * i connects first to node i mod 3, then to the others), each with a healthy service and a process check every
 * 500 ms, so reports flow all the time. One cluster for the class (its start is most of the cost): a node is killed
 * -9 first (and started again), then the rolling restart; each checks every agent's stored reports from seq 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ThreeCoordinatorsTest {

  private static final List<String> AGENTS = IntStream.rangeClosed(1, 6).mapToObj(i -> "ag-" + i).toList();
  private static final String CHECKS = "checks:\n  - {id: alive, type: process, service: svc, interval: 500ms}\n";

  private Path dir;
  @RegisterExtension
  final CoordinatorCluster.LogsOnFailure logs = new CoordinatorCluster.LogsOnFailure();

  private CoordinatorCluster cluster;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Long> servicePids = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("kelpie-three");
    cluster = logs.watch(new CoordinatorCluster(dir, AGENTS));
    nodes.addAll(cluster.start(3));
    for (int i = 0; i < AGENTS.size(); i++) {
      List<Node> order = new ArrayList<>();
      for (int k = 0; k < nodes.size(); k++) {
        order.add(nodes.get((i + k) % nodes.size()));
      }
      cluster.startAgent(AGENTS.get(i), order, CHECKS);
    }
    await(() -> cluster.leases().size() == AGENTS.size() ? true : null, Duration.ofSeconds(60), "every agent owned");
    for (Node node : nodes) {
      assertThat(cluster.leases().values()).as("agents on " + node.id())
        .anyMatch(lease -> lease.ownerNode().equals(node.id()));
    }
    for (String agent : AGENTS) {
      await(() -> cluster.count("SELECT count(*) FROM results WHERE agent_id = '" + agent + "' AND up") > 0 ? true
        : null, Duration.ofSeconds(60), agent + "'s service seen up");
      long pid = await(() -> cluster.servicePid(agent) > 0 ? cluster.servicePid(agent) : null, Duration.ofSeconds(10),
        agent + "'s service running");
      servicePids.put(agent, pid);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(2)
  @DisplayName("a rolling restart of all three nodes (SIGTERM, start again, ready, next) while six agents report: "
    + "every report stored once, none missing, no healthy service killed")
  void rollingRestart() throws Exception {
    Map<String, Long> before = lastSeqs();
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      Instant stopping = Instant.now();
      node.process().destroy();
      assertThat(node.process().waitFor(60, TimeUnit.SECONDS)).as("node " + i + " stops on SIGTERM").isTrue();
      Node again = cluster.startNode(node.index());
      nodes.set(i, again);
      await(() -> {
        Map<String, Lease> leases = cluster.leases();
        return leases.size() == AGENTS.size()
          && leases.values().stream().noneMatch(lease -> lease.ownerNode().equals(node.id())) ? true : null;
      }, Duration.ofSeconds(60), "every agent owned, none by the stopped node");
      System.out.println("rolling restart: node " + i + " stopped, started again, every agent owned "
        + Duration.between(stopping, Instant.now()).toMillis() + " ms after SIGTERM");
    }

    reportsWhole(before);
    assertThat(cluster.rows("SELECT agent_id, action FROM actions")).as("no action for a healthy service").isEmpty();
    assertThat(cluster.rows("SELECT agent_id, type FROM process_events "
      + "WHERE upper(type) NOT IN ('STARTED', 'ADOPTED')"))
      .as("no service exited").isEmpty();
    for (String agent : AGENTS) {
      assertThat(cluster.servicePid(agent)).as(agent + "'s service, same process").isEqualTo(servicePids.get(agent));
    }
  }

  @Test
  @Order(1)
  @DisplayName("a node killed -9: its agents owned again within 10 s, every report stored once and none missing, "
    + "no healthy service killed")
  void killedNode() throws Exception {
    Map<String, Long> before = lastSeqs();
    Map<String, Lease> owned = cluster.leases();
    Node victim = nodes.stream().filter(node -> owned.values().stream()
      .anyMatch(lease -> lease.ownerNode().equals(node.id()))).findFirst().orElseThrow();
    List<String> its = owned.values().stream().filter(lease -> lease.ownerNode().equals(victim.id()))
      .map(Lease::agentId).toList();

    victim.process().destroyForcibly();
    Instant killed = Instant.now();
    Map<String, Duration> moved = new LinkedHashMap<>();
    await(() -> {
      for (String agent : its) {
        Lease lease = cluster.holder(agent);
        if (!moved.containsKey(agent) && lease != null && !lease.ownerNode().equals(victim.id())) {
          assertThat(lease.epoch()).as(agent + "'s new token").isGreaterThan(owned.get(agent).epoch());
          moved.put(agent, Duration.between(killed, Instant.now()));
        }
      }
      return moved.size() == its.size() ? true : null;
    }, Duration.ofSeconds(30), "the killed node's agents " + its + " owned elsewhere");
    System.out.println("killed node: its agents owned again after " + moved);
    assertThat(moved.values()).as("owned again after kill -9").allMatch(d -> d.compareTo(Duration.ofSeconds(10)) < 0);

    reportsWhole(before);
    assertThat(cluster.rows("SELECT agent_id, action FROM actions")).as("no action for a healthy service").isEmpty();
    for (String agent : AGENTS) {
      assertThat(cluster.servicePid(agent)).as(agent + "'s service, same process").isEqualTo(servicePids.get(agent));
    }
    nodes.set(nodes.indexOf(victim), cluster.startNode(victim.index()));   // three again, for the rolling restart
  }

  /** The highest seq stored per agent. */
  private Map<String, Long> lastSeqs() throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String agent : AGENTS) {
      out.put(agent, cluster.reports(agent)[2]);
    }
    return out;
  }

  /**
   * Every agent's reports, once stored beyond {@code before} (a few seconds' more), are seqs 1..max, each once, and
   * the node that holds the agent counts none missing.
   */
  private void reportsWhole(Map<String, Long> before) throws Exception {
    for (String agent : AGENTS) {
      long[] settled = await(() -> {
        long[] r = cluster.reports(agent);
        return r[2] > before.get(agent) + 10 && r[0] == r[2] ? r : null;
      }, Duration.ofSeconds(60), agent + "'s reports stored on, without a hole");
      long[] now = cluster.reports(agent);
      assertThat(now[0]).as(agent + ": rows vs distinct seqs (a seq stored twice)").isEqualTo(now[1]);
      assertThat(now[1]).as(agent + ": distinct seqs vs highest (a hole)").isEqualTo(now[2]);
      assertThat(settled[2]).isGreaterThan(before.get(agent));
    }
    Node asked = nodes.stream().filter(node -> node.process().isAlive()).findFirst().orElseThrow();
    JsonObject fleet = new JsonObject(cluster.get(asked, "/api/agents").body());
    for (String agent : AGENTS) {
      JsonObject shown = fleet.getJsonArray("agents").stream().map(JsonObject.class::cast)
        .filter(a -> agent.equals(a.getString("agentId")) && a.getBoolean("connected", false)).findFirst()
        .orElseThrow(() -> new AssertionError(agent + " not shown connected: " + fleet.encode()));
      assertThat(shown.getLong("missingReports")).as(agent + "'s missingReports").isZero();
    }
  }
}
