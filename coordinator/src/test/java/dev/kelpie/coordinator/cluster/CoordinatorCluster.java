package dev.kelpie.coordinator.cluster;

import dev.kelpie.agent.Agent;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.FreePorts;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real clustered coordinator processes on one PostgreSQL schema, and real agents in this JVM (each on its own Vert.x,
 * as if on its own host) that know every coordinator's URL. Every process it starts or leads to spawn carries a
 * marker on its command line, so {@link #close()} can kill whatever a failed test left behind.
 */
final class CoordinatorCluster implements AutoCloseable {

  static final String OPERATOR_TOKEN = "cluster-operator-token";
  private static final Pattern NODE = Pattern.compile("joined as node (\\S+);");

  private final Path dir;
  private final String schema;
  private final List<String> agentIds;
  private final String marker = "kelpie.test=" + UUID.randomUUID();
  private final List<Process> started = new ArrayList<>();
  private final Map<String, Running> agents = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Integer> clusterPorts = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private int starts;
  private String moreYaml = "";
  private String lostAfter = "60s";
  private String more = "";
  private String leaseTerm = "3s";

  /**
   * Prints the end of every coordinator log of the test's cluster when the test fails: CI keeps only the build's
   * output, and the logs live in the test's temporary directory (gone by the time a TestWatcher hears of the failure,
   * so this runs right after the test method, before the after-each methods and the directory's removal).
   */
  static final class LogsOnFailure implements AfterTestExecutionCallback {
    private static final int LINES = 150;
    private CoordinatorCluster cluster;

    CoordinatorCluster watch(CoordinatorCluster watched) {
      cluster = watched;
      return watched;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
      if (cluster == null || context.getExecutionException().isEmpty()) {
        return;
      }
      try (Stream<Path> logs = Files.list(cluster.dir)) {
        for (Path log : logs.filter(file -> file.getFileName().toString().endsWith(".log")).sorted().toList()) {
          List<String> lines = Files.readAllLines(log);
          System.out.println("---- " + context.getDisplayName() + ": the last " + LINES + " lines of "
            + log.getFileName() + " ----");
          lines.subList(Math.max(0, lines.size() - LINES), lines.size()).forEach(System.out::println);
        }
      } catch (IOException e) {
        System.out.println("the coordinators' logs could not be read: " + e);
      }
    }
  }

  /** A coordinator process: {@code index} is its place in the cluster (its ports and config stay across restarts). */
  record Node(int index, Process process, Path log, int httpPort, String id) {
  }

  private record Running(Vertx vertx, Agent agent) {
  }

  /**
   * The cluster's coordinators will know {@code agentIds} (token {@code token-<id>}) and store in a schema of their
   * own, made now and dropped on {@link #close}.
   */
  CoordinatorCluster(Path dir, List<String> agentIds) {
    this.dir = dir;
    this.schema = TestDatabase.newSchema();
    this.agentIds = List.copyOf(agentIds);
  }

  /** The PostgreSQL schema the coordinators store in. */
  String schema() {
    return schema;
  }

  /** Coordinators started from now on call an agent lost after {@code lostAfter} and add {@code yaml} (sections). */
  CoordinatorCluster configure(String lostAfter, String yaml) {
    this.lostAfter = lostAfter;
    this.more = yaml;
    return this;
  }

  /** Coordinators started from now on hold leases for {@code term}. */
  CoordinatorCluster leaseTerm(String term) {
    this.leaseTerm = term;
    return this;
  }

  String marker() {
    return marker;
  }

  /** Adds {@code yaml} (top-level sections, such as {@code rules:}) to every coordinator's config started after. */
  CoordinatorCluster coordinatorYaml(String yaml) {
    moreYaml = yaml;
    return this;
  }

  /** Starts {@code size} coordinators one after the other, each once it says it started. */
  List<Node> start(int size) throws Exception {
    for (int i = 0; i < size; i++) {
      clusterPorts.add(freePort());
      httpPorts.add(freePort());
    }
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      nodes.add(startNode(i));
    }
    return nodes;
  }

  /**
   * Starts coordinator {@code index} (again) with its config and ports; returns once it says it started. A port picked
   * free may be taken before the coordinator binds it (by another test's process, or as an outgoing connection's
   * ephemeral port: the same range): a coordinator that exits because its HTTP port is in use is started again on
   * another one.
   */
  Node startNode(int index) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return startNodeOnce(index);
      } catch (PortTaken taken) {
        if (attempt == 3) {
          throw taken;
        }
        httpPorts.set(index, freePort());
      }
    }
  }

  /** A coordinator that exited at start because its HTTP port was taken meanwhile. */
  private static final class PortTaken extends IllegalStateException {
    PortTaken(String message) {
      super(message);
    }
  }

  private Node startNodeOnce(int index) throws Exception {
    String members = clusterPorts.stream().map(port -> "127.0.0.1:" + port).toList().toString();
    Path config = dir.resolve("c" + index + ".yaml");
    StringBuilder known = new StringBuilder();
    for (String id : agentIds) {
      known.append("  - {id: ").append(id).append(", token: token-").append(id).append("}\n");
    }
    Files.writeString(config, "http: {host: 127.0.0.1, port: " + httpPorts.get(index) + "}\n"
      + "agents:\n" + known
      + "store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n"
      + "keepalive: {lostAfter: " + lostAfter + "}\n" + more
      + "access:\n  localViewing: true\n  tokens:\n    - {name: cluster-script, role: operator, tokenSha256: "
      + dev.kelpie.coordinator.access.BearerToken.sha256(OPERATOR_TOKEN) + "}\n"
      + "cluster: {enabled: true, name: kelpie-fo-" + clusterPorts.get(0) + ", host: 127.0.0.1, port: "
      + clusterPorts.get(index) + ", members: " + members + ", leaseTerm: " + leaseTerm + "}\n" + moreYaml);
    Path log = dir.resolve("c" + index + "-" + (starts++) + ".log");
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
      return t.contains("coordinator started") || !process.isAlive() ? t : null;
    }, Duration.ofSeconds(180), "coordinator " + index + " started");
    if (!text.contains("coordinator started")) {
      process.waitFor(5, TimeUnit.SECONDS);
      String all = Files.readString(log);
      if (all.contains("cannot listen on 127.0.0.1:" + httpPorts.get(index) + ": address already in use")) {
        throw new PortTaken("coordinator " + index + "'s port " + httpPorts.get(index) + " was taken: " + all);
      }
      throw new IllegalStateException("coordinator " + index + " exited: " + all);
    }
    Matcher node = NODE.matcher(text);
    if (!node.find()) {
      throw new AssertionError("coordinator " + index + " does not name itself: " + text);
    }
    return new Node(index, process, log, httpPorts.get(index), node.group(1));
  }

  /**
   * Starts agent {@code agentId} (one of the cluster's) that connects to {@code order}'s coordinators in that order,
   * with a {@code svc} service that sleeps (a Python process with the marker and the agent's id); {@code more} adds
   * services and a checks section.
   */
  void startAgent(String agentId, List<Node> order, String more) throws Exception {
    String yaml = "agent: {id: " + agentId + ", stateDir: \"" + dir.resolve("state-" + agentId) + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + order.get(0).httpPort() + "/bus\n"
      + "  urls: " + order.subList(1, order.size()).stream()
        .map(node -> "\"ws://127.0.0.1:" + node.httpPort() + "/bus\"").toList() + "\n"
      + "  token: token-" + agentId + "\n"
      + "  reconnect: {initial: 200ms, max: 1s}\n  connectTimeout: 10s\n  pingInterval: 1s\n"
      + "  keepaliveInterval: 500ms\n"
      + "services:\n  - name: svc\n    command: [python3, -c, \"import time; time.sleep(600)\", \"" + marker + "\", \""
      + agentId + "\"]\n"
      + more;
    AgentConfig config = AgentConfig.fromYaml(yaml, agentId + ".yaml", Map.of());
    Vertx vertx = Vertx.vertx();
    agents.put(agentId, new Running(vertx, Agent.deploy(vertx, config, "host-of-" + agentId, Clock.systemUTC())
      .await()));
  }

  /**
   * Agent {@code agentId}'s host dies: its Vert.x stops without the agent's own shutdown, so it says goodbye to no one
   * and tries no other coordinator, and its service goes with it.
   */
  void killAgent(String agentId) {
    long pid = servicePid(agentId);
    Running running = agents.remove(agentId);
    running.vertx().close().timeout(20, TimeUnit.SECONDS).otherwiseEmpty().await();
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** The pid of agent {@code agentId}'s {@code svc}, or -1. */
  long servicePid(String agentId) {
    return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().commandLine()
        .map(line -> line.contains(marker) && line.contains("time.sleep") && line.endsWith(" " + agentId))
        .orElse(false))
      .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  /** The agent's live lease if {@code node} holds it, else null. */
  Lease holder(String agentId, String node) throws Exception {
    Lease lease = holder(agentId);
    return lease != null && lease.ownerNode().equals(node) ? lease : null;
  }

  /** The agent's live lease, or null. */
  Lease holder(String agentId) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(
      "SELECT owner_node, epoch, expires_at FROM agent_leases WHERE agent_id = '" + agentId + "' "
        + "AND expires_at > now() "
        + "AND owner_node IS NOT NULL")) {
      return rows.next() ? new Lease(agentId, rows.getString(1), rows.getLong(2), rows.getTimestamp(3).toInstant())
        : null;
    }
  }

  /** Every live lease by agent. */
  Map<String, Lease> leases() throws Exception {
    Map<String, Lease> out = new LinkedHashMap<>();
    for (String id : agentIds) {
      Lease lease = holder(id);
      if (lease != null) {
        out.put(id, lease);
      }
    }
    return out;
  }

  long count(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** The first two columns of every row, as "first/second". */
  List<String> rows(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rows.next()) {
        out.add(rows.getString(1) + "/" + rows.getString(2));
      }
      return out;
    }
  }

  /**
   * Agent {@code agentId}'s reports as stored: how many rows, how many distinct sequence numbers and the highest,
   * over probe results and process events (command results carry no stored seq).
   */
  long[] reports(String agentId) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(
      "SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM (SELECT seq FROM results WHERE agent_id = '"
        + agentId + "' UNION ALL SELECT seq FROM process_events WHERE agent_id = '" + agentId + "') AS r")) {
      rows.next();
      return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3)};
    }
  }

  HttpResponse<String> post(Node node, String path) throws Exception {
    return post(node, path, "{\"reason\": \"cluster test\"}");
  }

  HttpResponse<String> post(Node node, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
      .header("Authorization", "Bearer " + OPERATOR_TOKEN).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body))
      .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(Node node, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + path))
      .header("Authorization", "Bearer " + OPERATOR_TOKEN).timeout(Duration.ofSeconds(15)).GET().build(),
      HttpResponse.BodyHandlers.ofString());
  }

  interface Probe<T> {
    T get() throws Exception;
  }

  /** Polls {@code probe} every 100 ms until it gives a value; fails naming {@code what} after {@code bound}. */
  static <T> T await(Probe<T> probe, Duration bound, String what) throws Exception {
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

  static void signal(long pid, String signal) throws Exception {
    new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    return FreePorts.next();
  }

  @Override
  public void close() throws Exception {
    for (Running running : agents.values()) {
      running.agent().undeploy().eventually(running.vertx()::close).timeout(20, TimeUnit.SECONDS).otherwiseEmpty()
        .await();
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
}
