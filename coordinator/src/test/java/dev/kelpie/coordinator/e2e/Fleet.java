package dev.kelpie.coordinator.e2e;

import dev.kelpie.agent.Agent;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.FreePorts;
import dev.kelpie.coordinator.access.Passwords;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A real coordinator, real agents and the real demo service, each coordinator and agent on its own Vert.x instance
 * as if on its own host, talking over loopback. Every process it leads to spawn carries a marker on its command
 * line, so {@link #close()} can kill whatever a failed test left behind.
 */
final class Fleet implements AutoCloseable {

  static final String TOKEN = "test-token-";
  /** A script's API token with the operator role, configured on every test coordinator. */
  static final String OPERATOR_TOKEN = "operator-test-token";
  static final String OPERATOR_TOKEN_NAME = "test-script";
  static final Path DEMO_JAR = Path.of(System.getProperty("kelpie.demo.jar", "../demo/target/kelpie-demo.jar"))
    .toAbsolutePath().normalize();

  private final String marker = "kelpie.test=" + UUID.randomUUID();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Path stateRoot;
  private final int coordinatorPort;
  private String storeYaml = "";
  private String httpExtra = "";
  private String gatewayExtra = "";
  private String accessYaml = "access:\n  localViewing: true\n  tokens:\n    - {name: " + OPERATOR_TOKEN_NAME
    + ", role: operator, tokenSha256: " + sha256(OPERATOR_TOKEN) + "}\n";
  private Vertx coordinatorVertx;
  private ApiContract contract;
  private Vertx agentVertx;
  private Agent agent;

  Fleet() throws IOException {
    this.stateRoot = Files.createTempDirectory("kelpie-e2e");
    this.coordinatorPort = freePort();
  }

  static int freePort() throws IOException {
    return FreePorts.next();
  }

  /** How many event loops serve the next coordinators' port (default: the coordinator's own default). */
  void eventLoops(int loops) {
    httpExtra = ", eventLoops: " + loops;
  }

  /** More of the coordinator's {@code gateway:} section for the next starts, e.g. {@code batchWindowAdvice: {...}}. */
  void gateway(String extra) {
    gatewayExtra = ", " + extra;
  }

  /** The coordinator's {@code store:} section for the next starts, e.g. PostgreSQL in a schema of the test's. */
  void store(String yaml) {
    storeYaml = yaml;
  }

  /**
   * An {@code access:} section with two people, olga (operator, password olga-password) and victor (viewer,
   * victor-password), the operator token, no local viewing, plain-http cookies; {@code extra} adds to it.
   */
  static String accessWithUsers(String extra) {
    return "access:\n"
      + "  users:\n"
      + "    - {name: olga, role: operator, passwordHash: \"" + Passwords.hash("olga-password".toCharArray()) + "\"}\n"
      + "    - {name: victor, role: viewer, passwordHash: \"" + Passwords.hash("victor-password".toCharArray())
      + "\"}\n"
      + "  tokens:\n"
      + "    - {name: " + OPERATOR_TOKEN_NAME + ", role: operator, tokenSha256: " + sha256(OPERATOR_TOKEN) + "}\n"
      + extra
      + "  secureCookies: false\n";
  }

  /** The coordinator's {@code access:} section for the next starts (default: local viewing, the operator token). */
  void access(String yaml) {
    accessYaml = yaml;
  }

  int coordinatorPort() {
    return coordinatorPort;
  }

  String marker() {
    return marker;
  }

  Path stateDir(String agentId) {
    return stateRoot.resolve(agentId);
  }

  /** The demo service's command line, as YAML flow list, with this fleet's marker. */
  String demoCommand(int port, String... flags) {
    StringBuilder command = new StringBuilder("[java, \"-D" + marker + "\", -Xshare:auto, -XX:TieredStopAtLevel=1, "
      + "-jar, \"" + DEMO_JAR + "\", --port, \"" + port + "\"");
    for (String flag : flags) {
      command.append(", \"").append(flag).append('"');
    }
    return command.append(']').toString();
  }

  Coordinator startCoordinator(String... agentIds) throws Exception {
    return startCoordinator(vertx -> { }, agentIds);
  }

  /** Starts the coordinator; {@code beforeDeploy} may watch its event bus from the very first message. */
  Coordinator startCoordinator(java.util.function.Consumer<Vertx> beforeDeploy, String... agentIds) throws Exception {
    StringBuilder yaml = new StringBuilder("http: {host: 127.0.0.1, port: " + coordinatorPort + httpExtra
      + "}\nagents:\n");
    for (String id : agentIds) {
      yaml.append("  - {id: ").append(id).append(", token: ").append(TOKEN).append(id).append("}\n");
    }
    yaml.append("gateway: {pingTimeout: 5s, maxFrameBytes: 65536" + gatewayExtra + "}\n")
      .append("commands: {ttl: 10s, answerTimeout: 30s}\n")
      .append("keepalive: {lostAfter: 2s}\n").append(storeYaml).append(accessYaml);
    CoordinatorConfig config = CoordinatorConfig.fromYaml(yaml.toString(), "coordinator-test.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    coordinatorVertx = Coordinator.newVertx(registry);
    beforeDeploy.accept(coordinatorVertx);
    Coordinator coordinator = Coordinator.deploy(coordinatorVertx, config, Clock.systemUTC(), registry).await();
    if (contract == null) {
      contract = ApiContract.served(get("/api/openapi.yaml").body());
    }
    return coordinator;
  }

  /**
   * The served OpenAPI document, which every API response through this fleet's requests is checked against (see
   * {@link ApiContract}); tests with clients of their own pass their responses through {@code contract().check}.
   */
  ApiContract contract() {
    return contract;
  }

  void stopCoordinator() {
    if (coordinatorVertx != null) {
      coordinatorVertx.close().await();
      coordinatorVertx = null;
    }
  }

  /** Starts an agent whose YAML is {@code services} and {@code checks} sections given by the test. */
  void startAgent(String agentId, String servicesAndChecks) throws Exception {
    String yaml = "agent: {id: " + agentId + ", stateDir: \"" + stateDir(agentId) + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + coordinatorPort + "/bus\n  token: " + TOKEN + agentId + "\n"
      + "  reconnect: {initial: 200ms, max: 1s}\n  pingInterval: 1s\n  keepaliveInterval: 500ms\n"
      + servicesAndChecks;
    AgentConfig config = AgentConfig.fromYaml(yaml, agentId + ".yaml", Map.of());
    agentVertx = Vertx.vertx();
    agent = Agent.deploy(agentVertx, config, "host-of-" + agentId, Clock.systemUTC()).await();
  }

  void stopAgent() {
    if (agentVertx != null) {
      Vertx closing = agentVertx;
      agentVertx = null;
      agent.undeploy().timeout(15, java.util.concurrent.TimeUnit.SECONDS)
        .recover(failure -> {
          System.err.println("agent undeploy did not finish: " + failure + "; threads:");
          Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().startsWith("vert.x-eventloop")) {
              System.err.println(thread.getName() + " " + java.util.Arrays.toString(stack));
            }
          });
          return io.vertx.core.Future.succeededFuture();
        })
        .eventually(closing::close)
        .timeout(15, java.util.concurrent.TimeUnit.SECONDS)
        .otherwiseEmpty()
        .await();
    }
  }

  int agentMetricsPort() {
    return agent.metricsPort();
  }

  /** The coordinator's base URL, e.g. http://127.0.0.1:8421 */
  String baseUrl() {
    return "http://127.0.0.1:" + coordinatorPort;
  }

  /** A request as a script with the operator token: {@code method} POST or DELETE, {@code json} may be null. */
  HttpResponse<String> send(String method, String path, String json) {
    try {
      return checked(http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("Authorization", "Bearer " + OPERATOR_TOKEN).header("content-type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> checked(HttpResponse<String> response) {
    return contract == null ? response : contract.check(response);
  }

  static String sha256(String text) {
    return dev.kelpie.coordinator.access.BearerToken.sha256(text);
  }

  /** GET a coordinator path as the operator script: status code and body. */
  /**
   * The coordinator's main class as a process of its own (on this test's class path, marked as this fleet's), with
   * {@code properties} as {@code -D} options, its output in {@code log} beside {@code config}.
   */
  Process coordinatorProcess(Path config, String log, String... properties) throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-D" + marker(),
      "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
    for (String property : properties) {
      command.add("-D" + property);
    }
    command.addAll(List.of("dev.kelpie.coordinator.CoordinatorMain", "--config", config.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(config.resolveSibling(log).toFile())
      .start();
  }

  /** Until the coordinator on this fleet's port answers /ready with 200. */
  void awaitReady() {
    await("the coordinator ready", Duration.ofSeconds(60), () -> {
      try {
        return get("/ready").statusCode() == 200;
      } catch (RuntimeException notYet) {
        return false;
      }
    });
  }

  HttpResponse<String> get(String path) {
    try {
      return checked(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinatorPort + path))
        .header("Authorization", "Bearer " + OPERATOR_TOKEN).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonObject api() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + coordinatorPort + "/api/checks")).timeout(Duration.ofSeconds(2))
          .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
      return new JsonObject(checked(response).body());
    } catch (IOException e) {
      return new JsonObject();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Optional<JsonObject> check(String agentId, String checkId) {
    return stream(api().getJsonArray("checks"))
      .filter(c -> agentId.equals(c.getString("agentId")) && checkId.equals(c.getString("checkId")))
      .findFirst();
  }

  String state(String agentId, String checkId) {
    return check(agentId, checkId).map(c -> c.getString("state")).orElse("absent");
  }

  Optional<JsonObject> agent(String agentId) {
    return stream(api().getJsonArray("agents")).filter(a -> agentId.equals(a.getString("agentId"))).findFirst();
  }

  /** The pid the coordinator believes runs the service, or null. */
  Long pid(String agentId, String service) {
    return agent(agentId).flatMap(a -> stream(a.getJsonArray("services"))
        .filter(s -> service.equals(s.getString("name"))).findFirst())
      .map(s -> s.getLong("pid")).orElse(null);
  }

  JsonArray events(String agentId) {
    return agent(agentId).map(a -> a.getJsonArray("recentEvents", new JsonArray())).orElse(new JsonArray());
  }

  static Stream<JsonObject> stream(JsonArray array) {
    return array == null ? Stream.empty() : array.stream().map(JsonObject.class::cast);
  }

  /** Polls until the condition holds; fails with what was awaited and the last API view when it never does. */
  void await(String what, Duration timeout, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Boolean.TRUE.equals(condition.get())) {
        return;
      }
      pause(Duration.ofMillis(100));
    }
    throw new AssertionError("timed out after " + timeout + " waiting for: " + what + "\nlast view: "
      + api().encodePrettily());
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void signal(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Processes whose command line carries this fleet's marker. */
  Stream<ProcessHandle> processes() {
    return ProcessHandle.allProcesses()
      .filter(p -> p.info().commandLine().map(line -> line.contains(marker)).orElse(false));
  }

  @Override
  public void close() {
    stopAgent();
    stopCoordinator();
    if (contract != null) {
      contract.close();
      contract = null;
    }
    processes().forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      ProcessHandle.of(p.pid()).ifPresent(h -> {
        try {
          signal(h.pid(), "CONT");
        } catch (Exception ignored) {
          // already gone
        }
        h.destroyForcibly();
      });
    });
  }
}
