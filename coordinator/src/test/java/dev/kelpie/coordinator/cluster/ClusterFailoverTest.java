package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.cluster.CoordinatorCluster.Node;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kelpie.coordinator.cluster.CoordinatorCluster.await;
import static dev.kelpie.coordinator.cluster.CoordinatorCluster.freePort;
import static dev.kelpie.coordinator.cluster.CoordinatorCluster.signal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real coordinator processes in a cluster on one PostgreSQL schema, and a real agent (its own Vert.x, as if on its
 * own host) that knows both URLs. Polls real things (the lease table, the logs, the API) against deadlines.
 */
class ClusterFailoverTest {

  private static final String AGENT = "ag-1";

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
  @DisplayName("a coordinator frozen 30 s: its agent moves within the lease term, is refused nothing it did not ask, "
    + "the old owner gives it up when resumed; then a restart asked on the old owner runs once, on the new one, "
    + "recorded with the caller's name, and its API shows the agent as the new owner's")
  void frozenOwner() throws Exception {
    List<Node> nodes = cluster(2);
    startAgent(nodes.get(0), nodes.get(1));
    Lease first = await(this::holder, Duration.ofSeconds(60), "the agent owned by a node");
    Node a = owner(nodes, first);
    Node b = nodes.get(1 - nodes.indexOf(a));

    signal(a.process().pid(), "STOP");
    Instant frozen = Instant.now();
    Lease moved = await(() -> holder(b.id()), Duration.ofSeconds(25), "the agent owned by b while a is frozen");
    Duration toMove = Duration.between(frozen, Instant.now());
    assertThat(moved.epoch()).as("the new owner's fencing token").isGreaterThan(first.epoch());
    long left = Duration.ofSeconds(30).minus(Duration.between(frozen, Instant.now())).toMillis();
    if (left > 0) {
      TimeUnit.MILLISECONDS.sleep(left);   // the freeze itself is what is tested: it lasts 30 s
    }
    signal(a.process().pid(), "CONT");
    Instant resumed = Instant.now();

    await(() -> Files.readString(a.log()).matches("(?s).*(agent given up by this node|forgotten here).*") ? true
      : null, Duration.ofSeconds(60), "a gives the agent up");
    Duration toGiveUp = Duration.between(resumed, Instant.now());
    assertThat(holder(b.id())).as("b still owns it after a resumed").isNotNull();
    assertThat(count("SELECT count(*) FROM actions WHERE agent_id = '" + AGENT + "' AND epoch IS NOT NULL AND "
      + "status IN ('done', 'failed')")).as("nothing executed while the owner changed").isZero();

    HttpResponse<String> asked = post(a, "/api/agents/" + AGENT + "/services/svc/restart");
    assertThat(asked.statusCode()).as(asked.body()).isBetween(200, 299);
    await(() -> count("SELECT count(*) FROM actions WHERE agent_id = '" + AGENT + "' AND action = 'restart' AND "
      + "status IS NOT NULL") == 1 ? true : null, Duration.ofSeconds(30), "the restart answered");
    assertThat(rows("SELECT issued_by, status FROM actions WHERE agent_id = '" + AGENT + "' AND action = 'restart'"))
      .as("one restart, by the caller, done").containsExactly("cluster-script/done");

    JsonObject fleetOnA = new JsonObject(get(a, "/api/agents").body());
    JsonObject shown = fleetOnA.getJsonArray("agents").stream().map(JsonObject.class::cast)
      .filter(agent -> AGENT.equals(agent.getString("agentId"))).findFirst().orElseThrow();
    assertThat(shown.getString("coordinator")).as("a's API shows b's agent").isEqualTo(b.id());
    assertThat(shown.getBoolean("connected")).isTrue();
    System.out.println("frozen owner: agent owned by the other node " + toMove.toMillis() + " ms after the freeze; "
      + "given up by the resumed one " + toGiveUp.toMillis() + " ms after it resumed");
  }

  @Test
  @DisplayName("a coordinator killed -9 while its agent's web service hangs: the agent is owned by the other within "
    + "10 s with a higher token, the service is restarted exactly once, and no report is stored twice")
  void killedOwner() throws Exception {
    List<Node> nodes = cluster(2);
    int webPort = freePort();
    Path serve = dir.resolve("serve.py");
    Files.writeString(serve, "import sys, http.server\n"
      + "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)"
      + ".serve_forever()\n");
    startAgent(nodes.get(0), nodes.get(1), "  - name: web\n    command: [python3, \"" + serve + "\", \"" + webPort
      + "\", \"" + cluster.marker() + "\"]\n    port: " + webPort + "\n"
      + "checks:\n  - {id: web-http, type: http, service: web, url: \"http://127.0.0.1:" + webPort + "/\", "
      + "interval: 500ms, timeout: 1s, policy: {failureThreshold: 3, startupGrace: 1s, "
      + "backoff: {initial: 1s, max: 5s}}}\n");
    Lease first = await(this::holder, Duration.ofSeconds(60), "the agent owned by a node");
    Node a = owner(nodes, first);
    Node b = nodes.get(1 - nodes.indexOf(a));
    await(() -> count("SELECT count(*) FROM results WHERE agent_id = '" + AGENT + "' AND check_id = 'web-http' AND up")
      > 0 ? true : null, Duration.ofSeconds(60), "the web service answering");
    long web = webPid(serve);

    a.process().destroyForcibly();
    Instant killed = Instant.now();
    signal(web, "STOP");   // the service hangs while its agent is between coordinators
    Lease moved = await(() -> holder(b.id()), Duration.ofSeconds(30), "the agent owned by b after a died");
    Duration toMove = Duration.between(killed, Instant.now());

    assertThat(moved.epoch()).isGreaterThan(first.epoch());
    assertThat(toMove).as("owned again after the kill").isLessThan(Duration.ofSeconds(10));
    await(() -> count("SELECT count(*) FROM actions WHERE agent_id = '" + AGENT + "' AND service = 'web' AND "
      + "action = 'restart' AND status IS NOT NULL") > 0 ? true : null, Duration.ofSeconds(60), "the hung web restarted");
    await(() -> webPid(serve) != web ? true : null, Duration.ofSeconds(30), "a new web process");
    Instant settle = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(settle)) {
      TimeUnit.MILLISECONDS.sleep(500);   // long enough for a second restart to show, if one were ordered
    }
    assertThat(rows("SELECT action, status FROM actions WHERE agent_id = '" + AGENT + "' AND service = 'web' AND "
      + "action IN ('restart', 'kill')")).as("the hung service restarted exactly once").hasSize(1);
    assertThat(count("SELECT count(*) - count(DISTINCT seq) FROM results WHERE agent_id = '" + AGENT + "'"))
      .as("reports stored twice").isZero();
    System.out.println("killed owner: agent owned again " + toMove.toMillis() + " ms after kill -9");
  }

  private long webPid(Path serve) {
    return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().commandLine()
        .map(line -> line.contains(cluster.marker()) && line.contains(serve.toString())).orElse(false))
      .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  private List<Node> cluster(int size) throws Exception {
    return cluster.start(size);
  }

  private void startAgent(Node first, Node second) throws Exception {
    startAgent(first, second, "");
  }

  private void startAgent(Node first, Node second, String moreServicesAndChecks) throws Exception {
    cluster.startAgent(AGENT, List.of(first, second), moreServicesAndChecks);
  }

  private static Node owner(List<Node> nodes, Lease lease) {
    return nodes.stream().filter(node -> node.id().equals(lease.ownerNode())).findFirst().orElseThrow();
  }

  private Lease holder(String node) throws Exception {
    return cluster.holder(AGENT, node);
  }

  private Lease holder() throws Exception {
    return cluster.holder(AGENT);
  }

  private long count(String sql) throws Exception {
    return cluster.count(sql);
  }

  private List<String> rows(String sql) throws Exception {
    return cluster.rows(sql);
  }

  private HttpResponse<String> post(Node node, String path) throws Exception {
    return cluster.post(node, path);
  }

  private HttpResponse<String> get(Node node, String path) throws Exception {
    return cluster.get(node, path);
  }
}
