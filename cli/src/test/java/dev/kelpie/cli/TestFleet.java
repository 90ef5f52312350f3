package dev.kelpie.cli;

import dev.kelpie.agent.Agent;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.access.Passwords;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.access.BearerToken;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real coordinator and a real agent (each on its own Vert.x, over loopback) supervising the real demo service, and
 * the {@code kelpie} command line run against them. The agent's YAML is a file, so the local commands read it as
 * they would /etc/kelpie/agent.yaml. Every process started carries a marker, so {@link #close()} leaves nothing.
 */
final class TestFleet implements AutoCloseable {

  static final String AGENT = "web-01";
  static final String TOKEN = "cli-operator-token";
  static final String TOKEN_NAME = "cli-script";
  static final Path DEMO_JAR = Path.of(System.getProperty("kelpie.demo.jar", "../demo/target/kelpie-demo.jar"))
    .toAbsolutePath().normalize();

  final String marker = "kelpie.test=" + UUID.randomUUID();
  final Path root = Files.createTempDirectory("kelpie-cli");
  final Path stateDir = root.resolve("state");
  final Path agentYaml = root.resolve("agent.yaml");
  final int coordinatorPort = freePort();
  final int demoPort = freePort();
  final int metricsPort = freePort();
  private final List<Process> strangers = new ArrayList<>();
  private Vertx coordinatorVertx;
  private Vertx agentVertx;
  private Agent agent;

  TestFleet() throws IOException {
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  String url() {
    return "http://127.0.0.1:" + coordinatorPort;
  }

  void startCoordinator() throws Exception {
    String yaml = "http: {host: 127.0.0.1, port: " + coordinatorPort + "}\n"
      + "agents:\n  - {id: " + AGENT + ", token: agent-token}\n"
      + "gateway: {pingTimeout: 5s}\ncommands: {ttl: 10s, answerTimeout: 30s}\nkeepalive: {lostAfter: 3s}\n"
      + "access:\n  users:\n    - {name: olga, role: operator, passwordHash: \""
      + Passwords.hash("olga-password".toCharArray()) + "\"}\n"
      + "  tokens:\n    - {name: " + TOKEN_NAME + ", role: operator, tokenSha256: " + BearerToken.sha256(TOKEN) + "}\n"
      + "  secureCookies: false\n";
    CoordinatorConfig config = CoordinatorConfig.fromYaml(yaml, "coordinator-cli-test.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    coordinatorVertx = Coordinator.newVertx(registry);
    Coordinator.deploy(coordinatorVertx, config, Clock.systemUTC(), registry).await();
  }

  /** The demo service (forking a child, as the shipped demo does), its HTTP check and a report-only port check. */
  void startAgent() throws Exception {
    startAgent("");
  }

  /** The same, with more entries of {@code checks:} (YAML list lines). */
  void startAgent(String moreChecks) throws Exception {
    Files.writeString(agentYaml, "agent: {id: " + AGENT + ", stateDir: \"" + stateDir + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + coordinatorPort + "/bus\n  token: agent-token\n"
      + "  reconnect: {initial: 200ms, max: 1s}\n  pingInterval: 1s\n  keepaliveInterval: 500ms\n"
      + "metrics: {host: 127.0.0.1, port: " + metricsPort + "}\n"
      + "services:\n  - name: demo\n    command: " + demoCommand(demoPort) + "\n"
      + "    port: " + demoPort + "\n    stopGrace: 2s\n"
      + "checks:\n"
      + "  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + demoPort + "/health\", "
      + "timeout: 500ms, interval: 300ms, policy: {failureThreshold: 3, startupGrace: 1s}}\n"
      + "  - {id: demo-port, type: tcp, host: 127.0.0.1, port: " + demoPort + ", interval: 300ms, "
      + "policy: {restart: false, failureThreshold: 2}}\n" + moreChecks);
    AgentConfig config = AgentConfig.load(agentYaml, Map.of());
    agentVertx = Vertx.vertx();
    agent = Agent.deploy(agentVertx, config, "host-of-" + AGENT, Clock.systemUTC()).await();
  }

  /** Stops the agent; its services keep running, as on a real host. */
  void stopAgent() {
    if (agentVertx != null) {
      Vertx closing = agentVertx;
      agentVertx = null;
      agent.undeploy().timeout(15, TimeUnit.SECONDS).otherwiseEmpty().eventually(closing::close)
        .timeout(15, TimeUnit.SECONDS).otherwiseEmpty().await();
    }
  }

  String demoCommand(int port) {
    return "[java, \"-D" + marker + "\", -Xshare:auto, -XX:TieredStopAtLevel=1, -jar, \"" + DEMO_JAR
      + "\", --port, \"" + port + "\", --fork-child]";
  }

  /** A process no agent knows, listening on {@code port}: the demo service started by hand. */
  Process stranger(int port) throws IOException {
    Process process = new ProcessBuilder("java", "-D" + marker, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar",
      DEMO_JAR.toString(), "--port", Integer.toString(port)).redirectErrorStream(true)
      .redirectOutput(root.resolve("stranger-" + port + ".log").toFile()).start();
    strangers.add(process);
    return process;
  }

  /** What {@code kelpie <args>} prints and its exit status, run in this JVM. */
  record Run(int exit, String out, String err) {
  }

  Run kelpie(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine line = KelpieCli.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** {@code kelpie} with the coordinator's address and the operator token. */
  Run remote(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", url(), "--token", TOKEN));
    return kelpie(all.toArray(String[]::new));
  }

  /** {@code kelpie} with the agent's config and state folder. */
  Run local(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", agentYaml.toString(), "--state-dir", stateDir.toString()));
    return kelpie(all.toArray(String[]::new));
  }

  long recordedPid() {
    try {
      return Long.parseLong(Files.readString(stateDir.resolve("pids/demo.pid")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      pause(Duration.ofMillis(150));
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  /** Runs {@code kelpie} until its output satisfies {@code wanted}; fails showing the last output. */
  String awaitOutput(String what, Duration timeout, java.util.function.Supplier<Run> run,
                     java.util.function.Predicate<String> wanted) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Run last = null;
    while (System.nanoTime() < deadline) {
      last = run.get();
      if (wanted.test(last.out())) {
        return last.out();
      }
      pause(Duration.ofMillis(200));
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last output:\n"
      + (last == null ? "" : last.out() + last.err()));
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    stopAgent();
    if (coordinatorVertx != null) {
      coordinatorVertx.close().await();
    }
    strangers.forEach(Process::destroyForcibly);
    ProcessHandle.allProcesses()
      .filter(p -> p.info().commandLine().map(line -> line.contains(marker)).orElse(false))
      .forEach(p -> {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      });
  }
}
