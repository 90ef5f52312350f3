package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.cluster.CoordinatorCluster.Node;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.json.JsonArray;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.kelpie.coordinator.cluster.CoordinatorCluster.await;
import static dev.kelpie.coordinator.cluster.CoordinatorCluster.freePort;
import static dev.kelpie.coordinator.cluster.CoordinatorCluster.signal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real clustered coordinator processes on one PostgreSQL schema with {@code rules: {inFlight: 1, correlated:
 * {hosts: 3}}}, and three real agents: ag-1 and ag-3 on node 0, ag-2 on node 1. Each agent runs a web service (an HTTP
 * server, checked every 500 ms, deaf to SIGTERM so that a restart runs for its 4 s stopGrace) and a sleeping service whose check probes a TCP "dependency" the
 * test serves. The fleet rules must count the whole fleet: one restart at a time across both nodes, a dependency down
 * on 3 hosts held on both nodes though neither has 3, and a node that leaves no longer counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetCountsAcrossNodesTest {

  private static final List<String> AGENTS = List.of("ag-1", "ag-2", "ag-3");

  private Path dir;
  @RegisterExtension
  final CoordinatorCluster.LogsOnFailure logs = new CoordinatorCluster.LogsOnFailure();

  private CoordinatorCluster cluster;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Path> webs = new HashMap<>();
  private int depPort;
  private Process dependency;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("kelpie-counts");
    cluster = logs.watch(new CoordinatorCluster(dir, AGENTS)
      .coordinatorYaml("rules: {inFlight: 1, correlated: {hosts: 3, window: 2m}}\n"));
    nodes.addAll(cluster.start(2));
    depPort = freePort();
    dependency = serve(dir.resolve("dependency.py"), depPort);
    for (int i = 0; i < AGENTS.size(); i++) {
      String agent = AGENTS.get(i);
      Node first = nodes.get(i % 2);
      int webPort = freePort();
      Path web = dir.resolve("web-" + agent + ".py");
      webs.put(agent, web);
      Files.writeString(web, "import sys, signal, http.server\n"
        + "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"   // a restart waits stopGrace (4 s), then kills
        + "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)"
        + ".serve_forever()\n");
      cluster.startAgent(agent, List.of(first, nodes.get(1 - i % 2)), "  - name: web\n    command: [python3, \""
        + web + "\", \"" + webPort + "\", \"" + cluster.marker() + "\"]\n    port: " + webPort + "\n    stopGrace: 4s\n"
        + "checks:\n"
        + "  - {id: web-http, type: http, service: web, url: \"http://127.0.0.1:" + webPort + "/\", interval: 500ms, "
        + "timeout: 1s, policy: {failureThreshold: 3, startupGrace: 1s, backoff: {initial: 1s, max: 5s}}}\n"
        + "  - {id: dep, type: tcp, service: svc, host: 127.0.0.1, port: " + depPort + ", interval: 500ms, "
        + "timeout: 1s, policy: {failureThreshold: 4, startupGrace: 1s}}\n");
    }
    for (int i = 0; i < AGENTS.size(); i++) {
      String agent = AGENTS.get(i);
      String owner = nodes.get(i % 2).id();
      await(() -> cluster.holder(agent, owner), Duration.ofSeconds(60), agent + " owned by " + owner);
      for (String check : List.of("web-http", "dep")) {
        await(() -> cluster.count("SELECT count(*) FROM results WHERE agent_id = '" + agent + "' AND check_id = '"
          + check + "' AND up") > 0 ? true : null, Duration.ofSeconds(60), agent + "'s " + check + " up");
      }
    }
    await(() -> rules(nodes.get(0)).getInteger("coordinators") == 2 && rules(nodes.get(1)).getInteger("coordinators")
      == 2 ? true : null, Duration.ofSeconds(10), "each node counting the other");
  }

  @AfterAll
  void stop() throws Exception {
    if (dependency != null) {
      dependency.destroyForcibly();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName("fleet limit 1: web hangs on ag-1 (node 0) and ag-2 (node 1) at once; one restart runs, the other"
    + " waits, both nodes' rules show 1 running in the fleet, then the second goes: never two at once")
  void oneRestartAcrossNodes() throws Exception {
    long web1 = webPid("ag-1");
    long web2 = webPid("ag-2");
    signal(web1, "STOP");
    signal(web2, "STOP");
    boolean sawWaiting = false;
    boolean sawFleetFigure = false;
    int mostRunning = 0;
    Instant deadline = Instant.now().plusSeconds(90);
    while (restartsAnswered() < 2 && Instant.now().isBefore(deadline)) {
      for (Node node : nodes) {
        JsonObject rules = rules(node);
        mostRunning = Math.max(mostRunning, rules.getInteger("restartsRunning"));
        sawFleetFigure |= rules.getInteger("restartsRunning") == 1 && rules.getInteger("restartsRunningHere") == 0;
      }
      for (String agent : List.of("ag-1", "ag-2")) {
        String hold = hold(nodes.get(0), agent, "web-http");
        sawWaiting |= hold != null && hold.startsWith("waiting: 1 restarts already running in the fleet");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    List<Instant[]> runs = restartRuns();
    assertThat(runs).as("both hung webs restarted, each once").hasSize(2);
    assertThat(runs.get(1)[0]).as("the second restart issued after the first was answered")
      .isAfterOrEqualTo(runs.get(0)[1]);
    assertThat(mostRunning).as("restarts running in the fleet, as either node's rules show them").isEqualTo(1);
    assertThat(sawFleetFigure).as("a node running none showed the other's restart running").isTrue();
    assertThat(sawWaiting).as("the second web shown waiting for the first").isTrue();
    await(() -> webPid("ag-1") != web1 && webPid("ag-2") != web2 ? true : null, Duration.ofSeconds(30),
      "new web processes");
    System.out.println("one restart at a time across nodes: first ran " + Duration.between(runs.get(0)[0],
      runs.get(0)[1]).toMillis() + " ms, second issued " + Duration.between(runs.get(0)[1], runs.get(1)[0]).toMillis()
      + " ms after the first was answered");
  }

  @Test
  @Order(2)
  @DisplayName("the dependency stops for all three hosts (2 on node 0, 1 on node 1, threshold 3): restarts are held on"
    + " both nodes, both show the cause with 3 failing hosts; the dependency back, the cause clears on both")
  void correlatedAcrossNodes() throws Exception {
    long restartsBefore = svcRestarts();
    dependency.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    for (Node node : nodes) {
      await(() -> {
        JsonArray causes = rules(node).getJsonArray("correlated");
        return causes.size() == 1 && "check:dep".equals(causes.getJsonObject(0).getString("cause"))
          && causes.getJsonObject(0).getInteger("failingHosts") == 3 ? true : null;
      }, Duration.ofSeconds(20), "node " + node.index() + " shows check:dep failing on 3 hosts");
    }
    for (String agent : AGENTS) {
      await(() -> {
        String hold = hold(nodes.get(0), agent, "dep");
        return hold != null && hold.startsWith("held: check dep failing on 3") ? true : null;
      }, Duration.ofSeconds(20), agent + "'s dep held");
    }
    Instant settle = Instant.now().plusSeconds(5);
    while (Instant.now().isBefore(settle)) {
      TimeUnit.MILLISECONDS.sleep(500);   // several failures of each check: a restart would show by then
    }
    assertThat(svcRestarts()).as("no restart of a service whose dependency is down").isEqualTo(restartsBefore);

    dependency = serve(dir.resolve("dependency.py"), depPort);
    for (Node node : nodes) {
      await(() -> rules(node).getJsonArray("correlated").isEmpty() ? true : null, Duration.ofSeconds(30),
        "node " + node.index() + " no longer shows the cause");
    }
    assertThat(svcRestarts()).isEqualTo(restartsBefore);
  }

  @Test
  @Order(3)
  @DisplayName("a node killed -9 is no longer counted by the other (it left the cluster)")
  void nodeLeaving() throws Exception {
    nodes.get(1).process().destroyForcibly();
    await(() -> rules(nodes.get(0)).getInteger("coordinators") == 1 ? true : null, Duration.ofSeconds(15),
      "node 0 counting itself only");
    assertThat(Files.readString(nodes.get(0).log())).contains("coordinator " + nodes.get(1).id()
      + " left or went silent");
  }

  private JsonObject rules(Node node) throws Exception {
    return new JsonObject(cluster.get(node, "/api/rules").body());
  }

  private String hold(Node node, String agent, String check) throws Exception {
    JsonArray checks = new JsonObject(cluster.get(node, "/api/checks?view=summary&agent=" + agent).body())
      .getJsonArray("checks");
    return checks.stream().map(JsonObject.class::cast).filter(c -> check.equals(c.getString("checkId"))).findFirst()
      .map(c -> c.getString("hold")).orElse(null);
  }

  private long restartsAnswered() throws Exception {
    return cluster.count("SELECT count(*) FROM actions WHERE service = 'web' AND action = 'restart' AND finished_at "
      + "IS NOT NULL");
  }

  private long svcRestarts() throws Exception {
    return cluster.count("SELECT count(*) FROM actions WHERE service = 'svc' AND action IN ('restart', 'kill')");
  }

  /** The web restarts, each [issued, answered], in the order issued. */
  private List<Instant[]> restartRuns() throws Exception {
    List<Instant[]> runs = new ArrayList<>();
    try (Connection db = TestDatabase.jdbc(cluster.schema()); ResultSet rows = db.createStatement().executeQuery(
      "SELECT issued_at, finished_at FROM actions WHERE service = 'web' AND action = 'restart' AND finished_at IS NOT "
        + "NULL ORDER BY issued_at")) {
      while (rows.next()) {
        runs.add(new Instant[] {rows.getTimestamp(1).toInstant(), rows.getTimestamp(2).toInstant()});
      }
    }
    return runs;
  }

  private long webPid(String agent) {
    return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().commandLine()
        .map(line -> line.contains(cluster.marker()) && line.contains(webs.get(agent).toString())).orElse(false))
      .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  private Process serve(Path script, int port) throws Exception {
    Files.writeString(script, "import socket, sys\n"
      + "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
      + "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(50)\n"
      + "while True:\n    c, _ = s.accept(); c.close()\n");
    Process process = new ProcessBuilder("python3", script.toString(), Integer.toString(port), cluster.marker())
      .redirectErrorStream(true).redirectOutput(dir.resolve("dependency.log").toFile()).start();
    await(() -> {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
        return true;
      }
    }, Duration.ofSeconds(10), "the dependency listening");
    return process;
  }
}
