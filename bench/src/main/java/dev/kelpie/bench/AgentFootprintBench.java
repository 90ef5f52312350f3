package dev.kelpie.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the real agent jar costs the host it watches: the agent runs as its own process with N HTTP checks at an
 * interval against a local HTTP target (served here), reporting to a real coordinator (its own process). Prints,
 * per run, the agent's resident memory, its CPU as a share of one core over the measured window, the time from its
 * process start to the first probe reaching the target and to the first result the coordinator holds, its thread
 * count, and the probes per second the target saw (the agent still does its job). With {@code --nmt} the agent runs
 * with native memory tracking and its {@code jcmd VM.native_memory summary} is printed. With {@code --mixed} each run's
 * checks are of mixed types (issue #17's shape): one supervised idle service whose own process check counts as one,
 * the rest cycling through http, tcp, heartbeat (a file the bench touches), exec, resources, disk, directory and mount.
 */
@Command(name = "agent-footprint-bench", mixinStandardHelpOptions = true)
public final class AgentFootprintBench implements Callable<Integer> {

  @Option(names = "--checks", split = ",", defaultValue = "2,20",
    description = "HTTP checks per run, one run per number (default ${DEFAULT-VALUE})")
  List<Integer> checkCounts;

  @Option(names = "--interval-ms", defaultValue = "1000", description = "each check's interval (default ${DEFAULT-VALUE})")
  long intervalMillis;

  @Option(names = "--warmup", defaultValue = "15", description = "seconds before measuring (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--seconds", defaultValue = "60", description = "seconds measured (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--agent-jar", defaultValue = "agent/target/kelpie-agent.jar",
    description = "the agent to run (default ${DEFAULT-VALUE})")
  Path agentJar;

  @Option(names = "--agent-opts", defaultValue = "",
    description = "JVM options for the agent, space separated (default: none, the JVM's own defaults)")
  String agentOpts;

  @Option(names = "--java", defaultValue = "java", description = "the java launcher for the agent (default ${DEFAULT-VALUE})")
  String java;

  @Option(names = "--launcher", description = "run the agent through this script (bin/kelpie-agent: the JVM options and "
    + "class-data archive users get); a first short run leaves the archive, as an agent's first stop does")
  Path launcher;

  @Option(names = "--metrics", description = "the agent serves its Prometheus metrics (config: metrics:)")
  boolean metrics;

  @Option(names = "--mixed", description = "checks of mixed types (http, tcp, process, heartbeat, exec, resources, "
    + "disk, directory, mount) instead of HTTP only; probes/s then counts the HTTP ones")
  boolean mixed;

  @Option(names = "--nmt", description = "run the agent with -XX:NativeMemoryTracking=summary and print where its memory goes")
  boolean nmt;

  @Option(names = "--coordinator-jar", defaultValue = "coordinator/target/kelpie-coordinator.jar",
    description = "the coordinator the agent reports to (default ${DEFAULT-VALUE})")
  Path coordinatorJar;

  private final AtomicLong probes = new AtomicLong();
  private final AtomicLong firstProbeNanos = new AtomicLong();
  private final List<String> nmtLines = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new AgentFootprintBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("kelpie-agent-footprint");
    int coordinatorPort = freePort();
    Files.writeString(dir.resolve("coordinator.yaml"), "http: {host: 127.0.0.1, port: " + coordinatorPort + "}\n"
      + "access: {localViewing: true}\nagents:\n  - {id: footprint-training, token: token-training}\n"
      + String.join("", checkCounts.stream().map(n -> "  - {id: footprint-" + n + ", token: token-" + n + "}\n")
      .toList()));
    Process coordinator = new ProcessBuilder("java", "-jar", coordinatorJar.toString(), "--config",
      dir.resolve("coordinator.yaml").toString()).redirectErrorStream(true)
      .redirectOutput(dir.resolve("coordinator.log").toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer target = vertx.createHttpServer().requestHandler(request -> {
        probes.incrementAndGet();
        firstProbeNanos.compareAndSet(0, System.nanoTime());
        request.response().end("{\"status\":\"up\"}");
      }).listen(0, "127.0.0.1").await();
      awaitHealthy(coordinatorPort, coordinator);
      if (mixed) {
        keepBeating(dir.resolve("heartbeat"));
      }
      System.out.printf("machine: %d cores, load average %s; agent: %s%s %s%s%n",
        Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).split(" ")[0],
        launcher == null ? "" : launcher + " with ", java,
        agentOpts.isBlank() ? "(no extra JVM options)" : agentOpts, metrics ? ", metrics served" : "");
      if (mixed) {
        System.out.println("checks of mixed types: " + String.join(", ", MIXED));
      }
      System.out.println("| checks | RSS | PSS | anonymous | CPU (% of a core) | start -> first probe "
        + "| start -> first result stored | threads | probes/s (expected) |");
      System.out.println("|---|---|---|---|---|---|---|---|---|");
      if (launcher != null) {
        train(dir, checkCounts.get(checkCounts.size() - 1), target.actualPort(), coordinatorPort);
      }
      for (int checks : checkCounts) {
        run(dir, checks, target.actualPort(), coordinatorPort);
      }
      if (nmt) {
        System.out.println("\nnative memory committed (MB; jcmd VM.native_memory summary, in " + dir + "):");
        nmtLines.forEach(System.out::println);
      }
      return 0;
    } finally {
      vertx.close().await();
      coordinator.destroy();
      if (!coordinator.waitFor(20, TimeUnit.SECONDS)) {
        coordinator.destroyForcibly();
      }
      System.out.println("logs: " + dir);
    }
  }

  private void run(Path dir, int checks, int targetPort, int coordinatorPort) throws Exception {
    String id = "footprint-" + checks;
    Path config = dir.resolve(id + ".yaml");
    Files.writeString(config, agentYaml(id, checks, Integer.toString(checks), targetPort, coordinatorPort,
      dir.resolve(id)));
    firstProbeNanos.set(0);
    long startNanos = System.nanoTime();
    Process agent = start(dir, id, config);
    try {
      long firstResultNanos = awaitFirstResult(coordinatorPort, id, agent) - startNanos;
      Thread.sleep(warmup * 1000L);
      long firstProbe = firstProbeNanos.get() - startNanos;
      long probesBefore = probes.get();
      long cpuBefore = MachineCpu.cpuTicks(agent.pid());
      long start = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double elapsed = (System.nanoTime() - start) / 1e9;
      double cpu = (MachineCpu.cpuTicks(agent.pid()) - cpuBefore) / 100.0 / elapsed * 100;
      double probesPerSecond = (probes.get() - probesBefore) / elapsed;
      System.out.printf("| %s | %d MB | %.1f MB | %.1f MB | %.2f %% | %d ms | %d ms | %d | %.1f (%.1f) |%n",
        mixed ? checks + " mixed" : checks, status(agent.pid(), "VmRSS:") >> 10,
        rollup(agent.pid(), "Pss:") / 1024.0, rollup(agent.pid(), "Anonymous:") / 1024.0, cpu,
        TimeUnit.NANOSECONDS.toMillis(firstProbe), TimeUnit.NANOSECONDS.toMillis(firstResultNanos),
        status(agent.pid(), "Threads:"), probesPerSecond, httpChecks(checks) * 1000.0 / intervalMillis);
      if (mixed) {
        System.out.println("  " + healthy(coordinatorPort, id));
      }
      if (nmt) {
        Process jcmd = new ProcessBuilder(Path.of(java).getParent() == null ? "jcmd"
          : Path.of(java).resolveSibling("jcmd").toString(), Long.toString(agent.pid()), "VM.native_memory", "summary")
          .redirectErrorStream(true).start();
        String summary = new String(jcmd.getInputStream().readAllBytes());
        Files.writeString(dir.resolve(id + ".nmt.txt"), summary);
        nmtLines.add("| " + checks + " | " + committedByCategory(summary) + " |");
      }
    } finally {
      agent.destroy();
      if (!agent.waitFor(20, TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
  }

  private Process start(Path dir, String id, Path config) throws IOException {
    String options = ((nmt ? "-XX:NativeMemoryTracking=summary " : "") + agentOpts).trim();
    List<String> command = new ArrayList<>();
    ProcessBuilder builder = new ProcessBuilder(command);
    if (launcher == null) {
      command.add(java);
      if (!options.isEmpty()) {
        command.addAll(List.of(options.split("\\s+")));
      }
      command.addAll(List.of("-jar", agentJar.toString()));
    } else {
      command.add(launcher.toString());
      builder.environment().put("KELPIE_AGENT_JAR", agentJar.toAbsolutePath().toString());
      builder.environment().put("KELPIE_AGENT_CDS", dir.resolve("agent.jsa").toString());
      builder.environment().put("KELPIE_AGENT_JAVA_OPTS", options);
      builder.environment().put("JAVA", java);
    }
    command.addAll(List.of("--config", config.toString()));
    return builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
      dir.resolve(id + ".log").toFile())).start();
  }

  /** The launcher's first run writes the class-data archive when it stops (Java 17); later runs map it. */
  private void train(Path dir, int checks, int targetPort, int coordinatorPort) throws Exception {
    String id = "footprint-training";
    Path config = dir.resolve(id + ".yaml");
    Files.writeString(config, agentYaml(id, checks, "training", targetPort, coordinatorPort, dir.resolve(id)));
    Process agent = start(dir, id, config);
    awaitFirstResult(coordinatorPort, id, agent);
    agent.destroy();
    agent.waitFor(60, TimeUnit.SECONDS);
    Path archive = dir.resolve("agent.jsa");
    System.out.printf("class-data archive after a first run: %s%n",
      Files.exists(archive) ? (Files.size(archive) >> 20) + " MB" : "none (the JVM keeps it itself, or cannot)");
  }

  private String agentYaml(String id, int checks, String token, int targetPort, int coordinatorPort, Path stateDir)
    throws IOException {
    StringBuilder yaml = new StringBuilder()
      .append("agent: {id: ").append(id).append(", stateDir: \"").append(stateDir).append("\"}\n")
      .append("coordinator: {url: \"ws://127.0.0.1:").append(coordinatorPort).append("/bus\", token: token-")
      .append(token).append("}\n");
    if (metrics) {
      yaml.append("metrics: {host: 127.0.0.1, port: ").append(freePortOrZero()).append("}\n");
    }
    if (mixed) {
      return yaml.append(mixedChecks(checks, targetPort, stateDir.resolveSibling("heartbeat"))).toString();
    }
    yaml.append("checks:\n");
    for (int i = 0; i < checks; i++) {
      yaml.append("  - {id: web-").append(i).append(", type: http, url: \"http://127.0.0.1:").append(targetPort)
        .append("/health/").append(i).append("\", interval: ").append(intervalMillis).append("ms}\n");
    }
    return yaml.toString();
  }

  /** The types of a mixed run, in the order the checks cycle through them (process: the service's own check). */
  static final List<String> MIXED = List.of("process", "http", "tcp", "heartbeat", "exec", "resources", "disk",
    "directory", "mount");

  /** How many of a run's checks probe the HTTP target. */
  private int httpChecks(int checks) {
    int others = MIXED.size() - 1;
    return mixed ? (checks - 1 + others - 1) / others : checks;
  }

  /**
   * An idle supervised service (its process check is the first of the {@code checks}) and {@code checks - 1} more
   * cycling through the other types, each at the interval and report-only, so nothing is restarted.
   */
  private String mixedChecks(int checks, int targetPort, Path heartbeat) throws IOException {
    Path program = Path.of("/usr/bin/true");
    StringBuilder yaml = new StringBuilder("execAllow:\n  - {program: ").append(program).append(", sha256: \"")
      .append(sha256(program)).append("\"}\n")
      .append("services:\n  - {name: idle, command: [/usr/bin/sleep, \"100000\"], stopGrace: 1s}\n")
      .append("checks:\n");
    String every = ", interval: " + intervalMillis + "ms, policy: {restart: false}}\n";
    for (int i = 1; i < checks; i++) {
      String type = MIXED.get(1 + (i - 1) % (MIXED.size() - 1));
      yaml.append("  - {id: ").append(type).append('-').append(i).append(", type: ").append(type).append(", ")
        .append(switch (type) {
          case "http" -> "url: \"http://127.0.0.1:" + targetPort + "/health/" + i + "\"";
          case "tcp" -> "host: 127.0.0.1, port: " + targetPort;
          case "heartbeat" -> "service: idle, deadline: 10s, file: \"" + heartbeat + "\"";
          case "exec" -> "command: [" + program + "], timeout: 900ms";
          case "resources" -> "service: idle, maxRss: 1GB, maxFds: 90%";
          case "disk" -> "path: \"" + heartbeat.getParent() + "\", maxUsed: 99%";
          case "directory" -> "path: \"" + heartbeat.getParent() + "\", maxSize: 10GB";
          case "mount" -> "path: /, timeout: 900ms, hungAfter: 600ms";
          default -> throw new IllegalStateException(type);
        }).append(every);
    }
    return yaml.toString();
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The heartbeat checks' file, touched twice a second as a live service would. */
  private static void keepBeating(Path file) {
    Thread beat = new Thread(() -> {
      try {
        while (true) {
          Files.writeString(file, Long.toString(System.currentTimeMillis()));
          Thread.sleep(500);
        }
      } catch (IOException | InterruptedException e) {
        // the bench is ending
      }
    }, "heartbeat");
    beat.setDaemon(true);
    beat.start();
  }

  /** "20 of 20 checks healthy", naming the others with their last detail: the agent still does its job. */
  private static String healthy(int port, String agentId) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
      URI.create("http://127.0.0.1:" + port + "/api/checks?agent=" + agentId)).timeout(Duration.ofSeconds(10))
      .build(), HttpResponse.BodyHandlers.ofString());
    JsonArray checks = new JsonObject(response.body()).getJsonArray("checks", new JsonArray());
    List<String> others = new ArrayList<>();
    for (Object item : checks) {
      JsonObject check = (JsonObject) item;
      if (!"healthy".equals(check.getString("state"))) {
        JsonObject last = check.getJsonObject("lastResult", new JsonObject());
        others.add(check.getString("checkId") + " " + check.getString("state") + " (" + last.getString("detail") + ")");
      }
    }
    return (checks.size() - others.size()) + " of " + checks.size() + " checks healthy"
      + (others.isEmpty() ? "" : "; not: " + String.join(", ", others));
  }

  /** Polls the coordinator's check list until it holds a result of this agent; returns when (System.nanoTime). */
  private static long awaitFirstResult(int port, String agentId, Process agent) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    HttpClient client = HttpClient.newHttpClient();
    while (System.nanoTime() < deadline) {
      if (!agent.isAlive()) {
        throw new IllegalStateException("the agent exited with " + agent.exitValue());
      }
      try {
        HttpResponse<String> checks = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/api/checks?agent=" + agentId)).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString());
        if (checks.statusCode() == 200 && checks.body().contains("\"lastResult\"")) {
          return System.nanoTime();
        }
      } catch (IOException notYet) {
        // the coordinator is busy; poll again
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no result of " + agentId + " reached the coordinator within 180 s");
  }

  private static void awaitHealthy(int port, Process coordinator) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    HttpClient client = HttpClient.newHttpClient();
    while (System.nanoTime() < deadline) {
      if (!coordinator.isAlive()) {
        throw new IllegalStateException("the coordinator exited with " + coordinator.exitValue());
      }
      try {
        if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the coordinator did not answer /health within 60 s");
  }

  /** "Java Heap 7.2, Class 3.1, ..." from the top-level categories of a native memory summary. */
  static String committedByCategory(String summary) {
    Matcher category = Pattern.compile("^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)", Pattern.MULTILINE)
      .matcher(summary);
    Matcher total = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB", Pattern.MULTILINE).matcher(summary);
    StringBuilder line = new StringBuilder(total.find() ? String.format("total %.1f", Long.parseLong(total.group(1)) / 1024.0) : "");
    while (category.find()) {
      long kb = Long.parseLong(category.group(2));
      if (kb >= 512) {
        line.append(", ").append(category.group(1)).append(String.format(" %.1f", kb / 1024.0));
      }
    }
    return line.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static int freePortOrZero() {
    try {
      return freePort();
    } catch (IOException e) {
      return 0;
    }
  }

  /** A number from /proc/PID/status (VmRSS in kB, Threads). */
  private static long status(long pid, String key) throws IOException {
    return field(Path.of("/proc/" + pid + "/status"), key);
  }

  /**
   * A total in kB from /proc/PID/smaps_rollup: Pss counts a page shared with other processes (the JDK's class-data
   * archive, libjvm) as its share, where RSS counts it whole; Anonymous is the memory the process alone has.
   */
  private static long rollup(long pid, String key) throws IOException {
    return field(Path.of("/proc/" + pid + "/smaps_rollup"), key);
  }

  private static long field(Path file, String key) throws IOException {
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }
}
