package dev.kelpie.coordinator.cluster;

import dev.kelpie.agent.Agent;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real coordinator processes in a cluster on one PostgreSQL schema, and a real agent (its own Vert.x, as if on its
 * own host) that knows both URLs. Polls real things (the lease table, the logs, the API) against deadlines.
 */
class ClusterFailoverTest {

  private static final Pattern NODE = Pattern.compile("joined as node (\\S+);");
  private static final String AGENT = "ag-1";
  private static final String OPERATOR_TOKEN = "cluster-operator-token";

  private String schema;

  @TempDir
  Path dir;

  private final String marker = "kelpie.test=" + UUID.randomUUID();
  private final List<Process> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Vertx agentVertx;
  private Agent agent;

  private record Node(Process process, Path log, int httpPort, String id) {
  }

  @BeforeEach
  void schema() {
    schema = TestDatabase.newSchema();
  }

  @AfterEach
  void stop() throws Exception {
    if (agentVertx != null) {
      agent.undeploy().eventually(agentVertx::close).timeout(20, TimeUnit.SECONDS).otherwiseEmpty().await();
    }
    for (Process process : started) {
      signal(process.pid(), "CONT");
      process.destroy();
    }
    for (Process process : started) {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(l -> l.contains(marker)).orElse(false))
      .forEach(ProcessHandle::destroyForcibly);
    TestDatabase.dropSchema(schema);
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

    await(() -> Files.readString(a.log()).matches("(?s).*(agent given up by this node|forgotten here).*") ? true
      : null, Duration.ofSeconds(30), "a gives the agent up");
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
    System.out.println("frozen owner: agent owned by the other node " + toMove.toMillis() + " ms after the freeze");
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
      + "\", \"" + marker + "\"]\n    port: " + webPort + "\n"
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
        .map(line -> line.contains(marker) && line.contains(serve.toString())).orElse(false))
      .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  private List<Node> cluster(int size) throws Exception {
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      clusterPorts.add(freePort());
    }
    String members = clusterPorts.stream().map(port -> "127.0.0.1:" + port).toList().toString();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int httpPort = freePort();
      Path config = dir.resolve("c" + i + ".yaml");
      Files.writeString(config, "http: {host: 127.0.0.1, port: " + httpPort + "}\n"
        + "agents:\n  - {id: " + AGENT + ", token: token-" + AGENT + "}\n"
        + "store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n"
        + "keepalive: {lostAfter: 60s}\n"
        + "access:\n  localViewing: true\n  tokens:\n    - {name: cluster-script, role: operator, tokenSha256: "
        + sha256(OPERATOR_TOKEN) + "}\n"
        + "cluster: {enabled: true, name: kelpie-fo-" + clusterPorts.get(0) + ", host: 127.0.0.1, port: "
        + clusterPorts.get(i) + ", members: " + members + ", leaseTerm: 3s}\n");
      Path log = dir.resolve("c" + i + ".log");
      String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-Xmx256m", "-D" + marker, "-cp", classPath,
        "dev.kelpie.coordinator.CoordinatorMain", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().remove("KELPIE_DB_URL");
      builder.environment().remove("KELPIE_HTTP_PORT");
      builder.environment().remove("KELPIE_HTTP_HOST");
      Process process = builder.start();
      started.add(process);
      String text = await(() -> {
        String t = Files.exists(log) ? Files.readString(log) : "";
        return t.contains("coordinator started") ? t : null;
      }, Duration.ofSeconds(180), "coordinator " + i + " started");
      Matcher node = NODE.matcher(text);
      assertThat(node.find()).as("the node names itself").isTrue();
      nodes.add(new Node(process, log, httpPort, node.group(1)));
    }
    return nodes;
  }

  private void startAgent(Node first, Node second) throws Exception {
    startAgent(first, second, "");
  }

  private void startAgent(Node first, Node second, String moreServicesAndChecks) throws Exception {
    String yaml = "agent: {id: " + AGENT + ", stateDir: \"" + dir.resolve("agent-state") + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + first.httpPort() + "/bus\n"
      + "  urls: [\"ws://127.0.0.1:" + second.httpPort() + "/bus\"]\n  token: token-" + AGENT + "\n"
      + "  reconnect: {initial: 200ms, max: 1s}\n  connectTimeout: 10s\n  pingInterval: 1s\n  keepaliveInterval: 500ms\n"
      + "services:\n  - name: svc\n    command: [sh, -c, \"exec sleep 600\", \"" + marker + "\"]\n"
      + moreServicesAndChecks;
    AgentConfig config = AgentConfig.fromYaml(yaml, AGENT + ".yaml", Map.of());
    agentVertx = Vertx.vertx();
    agent = Agent.deploy(agentVertx, config, "host-of-" + AGENT, Clock.systemUTC()).await();
  }

  private static Node owner(List<Node> nodes, Lease lease) {
    return nodes.stream().filter(node -> node.id().equals(lease.ownerNode())).findFirst().orElseThrow();
  }

  /** The agent's live lease if {@code node} holds it, else null. */
  private Lease holder(String node) throws Exception {
    Lease lease = holder();
    return lease != null && lease.ownerNode().equals(node) ? lease : null;
  }

  /** The agent's live lease, or null. */
  private Lease holder() throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(
      "SELECT owner_node, epoch, expires_at FROM agent_leases WHERE agent_id = '" + AGENT + "' AND expires_at > now() "
        + "AND owner_node IS NOT NULL")) {
      return rows.next() ? new Lease(AGENT, rows.getString(1), rows.getLong(2), rows.getTimestamp(3).toInstant()) : null;
    }
  }

  private long count(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private List<String> rows(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rows.next()) {
        out.add(rows.getString(1) + "/" + rows.getString(2));
      }
      return out;
    }
  }

  private HttpResponse<String> post(Node node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
      .header("Authorization", "Bearer " + OPERATOR_TOKEN).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"cluster test\"}"))
      .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(Node node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
      .header("Authorization", "Bearer " + OPERATOR_TOKEN).timeout(Duration.ofSeconds(15)).GET().build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private interface Probe<T> {
    T get() throws Exception;
  }

  private static <T> T await(Probe<T> probe, Duration bound, String what) throws Exception {
    Instant deadline = Instant.now().plus(bound);
    Exception last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        T value = probe.get();
        if (value != null) {
          return value;
        }
      } catch (Exception e) {
        last = e;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new AssertionError("not seen within " + bound + ": " + what, last);
  }

  private static void signal(long pid, String signal) throws Exception {
    new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
  }

  private static String sha256(String text) {
    return dev.kelpie.coordinator.access.BearerToken.sha256(text);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
