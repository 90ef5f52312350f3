package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coordinator and agents of an outage test, each a process of its own (so it can be killed -9 or frozen with
 * SIGSTOP), on the ports and marker of a {@link Fleet} whose API helpers then read the coordinator's view.
 */
final class Outage implements AutoCloseable {

  static final Path AGENT_JAR = Path.of(System.getProperty("kelpie.agent.jar", "../agent/target/kelpie-agent.jar"))
    .toAbsolutePath().normalize();
  private static final Pattern CONNECTED = Pattern.compile("^kelpie_agent_connected\\s+(\\S+)", Pattern.MULTILINE);

  final Fleet fleet;
  private final Path root;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private Process coordinator;
  private final List<Process> agents = new java.util.ArrayList<>();

  Outage(Fleet fleet) throws IOException {
    this.fleet = fleet;
    this.root = Files.createTempDirectory("kelpie-outage");
  }

  /** The coordinator as its own JVM, from the test class path, with the agents' tokens and {@code extraYaml}. */
  void startCoordinator(String extraYaml, String... agentIds) throws Exception {
    StringBuilder yaml = new StringBuilder("http: {host: 127.0.0.1, port: " + fleet.coordinatorPort() + "}\nagents:\n");
    for (String id : agentIds) {
      yaml.append("  - {id: ").append(id).append(", token: ").append(Fleet.TOKEN).append(id).append("}\n");
    }
    yaml.append("gateway: {pingTimeout: 5s, maxFrameBytes: 65536}\ncommands: {ttl: 10s, answerTimeout: 30s}\n")
      .append("keepalive: {lostAfter: 2s}\n")
      .append("access:\n  localViewing: true\n  tokens:\n    - {name: ").append(Fleet.OPERATOR_TOKEN_NAME)
      .append(", role: operator, tokenSha256: ").append(Fleet.sha256(Fleet.OPERATOR_TOKEN)).append("}\n")
      .append(extraYaml);
    Path config = root.resolve("coordinator.yaml");
    Files.writeString(config, yaml);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    coordinator = new ProcessBuilder(java(), "-D" + fleet.marker(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
      classPath, "dev.kelpie.coordinator.CoordinatorMain", "--config", config.toString())
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("coordinator.log")
        .toFile())).start();
    fleet.await("the coordinator answering", Duration.ofSeconds(60), () -> {
      try {
        return fleet.get("/api/checks").statusCode() == 200;
      } catch (IllegalStateException notYet) {
        return false;
      }
    });
  }

  long coordinatorPid() {
    return coordinator.pid();
  }

  void killCoordinator() throws Exception {
    coordinator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** An agent process whose YAML is the test's {@code body} after its id, state dir, uplink and metrics lines. */
  Process startAgent(String agentId, int metricsPort, String body) throws Exception {
    return startAgent(agentId, metricsPort, body, false);
  }

  /** With {@code deadFirst}, the agent's first coordinator URL leads nowhere, and the coordinator is its standby. */
  Process startAgent(String agentId, int metricsPort, String body, boolean deadFirst) throws Exception {
    Path config = root.resolve(agentId + ".yaml");
    String bus = "ws://127.0.0.1:" + fleet.coordinatorPort() + "/bus";
    String urls = deadFirst ? "  url: ws://127.0.0.1:" + Fleet.freePort() + "/bus\n  urls: [\"" + bus + "\"]\n"
      : "  url: " + bus + "\n";
    Files.writeString(config, "agent: {id: " + agentId + ", stateDir: \"" + fleet.stateDir(agentId) + "\"}\n"
      + "coordinator:\n" + urls + "  token: " + Fleet.TOKEN
      + agentId + "\n  reconnect: {initial: 200ms, max: 1s}\n  pingInterval: 500ms\n  keepaliveInterval: 500ms\n"
      + "metrics: {host: 127.0.0.1, port: " + metricsPort + "}\n" + body);
    Process agent = new ProcessBuilder(java(), "-D" + fleet.marker(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar",
      AGENT_JAR.toString(), "--config", config.toString())
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(agentId).toFile())).start();
    agents.add(agent);
    return agent;
  }

  Path log(String agentId) {
    return root.resolve(agentId + ".log");
  }

  String logText(String agentId) {
    try {
      return Files.readString(log(agentId));
    } catch (IOException e) {
      return "";
    }
  }

  /** The agent's own view, from its metrics: connected (past the hello), not connected, or null if it does not answer. */
  Boolean connected(int metricsPort) {
    try {
      String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
      Matcher matcher = CONNECTED.matcher(text);
      return matcher.find() ? Double.parseDouble(matcher.group(1)) > 0 : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The phase the agent keeps on disk for a check ("healthy", "acting", "gave_up" ...), or "absent". */
  String keptPhase(String agentId, String checkId) {
    try {
      JsonObject kept = new JsonObject(Files.readString(fleet.stateDir(agentId).resolve("policy-memory.json")));
      JsonObject memory = kept.getJsonObject("checks").getJsonObject(checkId);
      return memory == null ? "absent" : memory.getString("phase").toLowerCase();
    } catch (IOException | RuntimeException e) {
      return "absent";
    }
  }

  /** The demo processes listening on {@code port} (found by the marker and port on their command line). */
  List<Long> demoPids(int port) {
    return fleet.processes()
      .filter(p -> p.info().commandLine().map(line -> line.contains("kelpie-demo.jar --port " + port)).orElse(false))
      .map(ProcessHandle::pid).toList();
  }

  static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The agents go first, so that none respawns a demo that the fleet's cleanup kills. */
  @Override
  public void close() {
    agents.forEach(agent -> {
      try {
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    if (coordinator != null) {
      coordinator.destroyForcibly();
    }
    fleet.close();
  }
}
