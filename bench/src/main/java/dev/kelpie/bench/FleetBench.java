package dev.kelpie.bench;

import dev.kelpie.agent.uplink.BatchWindow;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet's shape against a coordinator running as its own process (the jar users run): many agents, each with a
 * few checks at the default interval, their results batched as the agent batches them ({@code --batch-window}), pings
 * and keepalives at the defaults. Prints
 * agents connected, results acknowledged per second, crossing -> command and report -> acknowledgement percentiles,
 * receipt -> commit (from the coordinator's own metrics), refused batches, disconnects, the coordinator's CPU and
 * resident memory, and what PostgreSQL's processes and the kernel took of the machine ({@link MachineCpu}). The load
 * generator shares the machine; its own cost is printed too.
 */
@Command(name = "fleet-bench", mixinStandardHelpOptions = true)
public final class FleetBench implements Callable<Integer> {

  @Option(names = "--agents", defaultValue = "1000", description = "simulated agents (default ${DEFAULT-VALUE})")
  int agents;

  @Option(names = "--checks", defaultValue = "10", description = "checks per agent (default ${DEFAULT-VALUE})")
  int checks;

  @Option(names = "--interval-ms", defaultValue = "3000", description = "each check's interval (default ${DEFAULT-VALUE})")
  long intervalMillis;

  @Option(names = "--cross-every-s", defaultValue = "60",
    description = "each agent crosses one check's threshold this often; 0: never (default ${DEFAULT-VALUE})")
  long crossEverySeconds;

  @Option(names = "--batch-window", description = "ms a routine result may linger for others to share its frame, as "
    + "the agent's coordinator.batchWindow; 0: each result leaves at once (default: the agent's, 500)")
  Long batchWindowMillis;

  @Option(names = "--warmup", defaultValue = "15", description = "seconds before measuring (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--seconds", defaultValue = "30", description = "seconds measured (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--postgres", description = "store history in this PostgreSQL (postgresql://user@host:port/db), "
    + "in a fresh schema")
  String postgres;

  @Option(names = "--coordinator-jar", defaultValue = "coordinator/target/kelpie-coordinator.jar",
    description = "the coordinator to run (default ${DEFAULT-VALUE})")
  Path coordinatorJar;

  @Option(names = "--rules", description = "the coordinator's rules: section as one line of YAML, e.g. "
    + "\"{inFlight: 200, groups: [{label: role, maxPercent: 50}], correlated: {hosts: 100000, window: 2m}}\"; "
    + "agents carry role=r0..r9 labels")
  String rules;

  @Option(names = "--coordinator-opts", defaultValue = "", description = "JVM options for the coordinator, space "
    + "separated, after the launcher's (later ones win)")
  String coordinatorOpts;

  @Option(names = "--launcher", defaultValue = "bin/kelpie-coordinator", description = "run the coordinator through "
    + "this script, with the JVM options users get (default ${DEFAULT-VALUE}); \"none\": java -jar alone, the JVM's "
    + "own defaults")
  String launcher;

  @Option(names = "--coordinators", defaultValue = "1", description = "coordinators in a cluster on the --postgres "
    + "database, the agents spread over them in turn (default ${DEFAULT-VALUE})")
  int coordinators;

  @Option(names = "--failover", description = "after measuring, kill -9 coordinator 0 and time until each of its agents "
    + "is owned again on another (hello answered) and its first batch there acknowledged (needs --coordinators 2+)")
  boolean failover;

  private final String schema = "fleet_" + Long.toHexString(System.nanoTime());

  @Option(names = "--keep-schema", description = "keep the run's schema in the --postgres database afterwards (it is "
    + "dropped by default)")
  boolean keepSchema;

  @Option(names = "--window-advice", description = "the coordinator's gateway.batchWindowAdvice as one line of YAML, "
    + "e.g. \"{max: 0ms}\" (no advice, as before it) or \"{lagTarget: 10ms}\" (default: the coordinator's)")
  String windowAdvice;

  @Option(names = "--event-loops", description = "the coordinator's http.eventLoops (default: one per core, up to 4)")
  Integer eventLoops;

  /**
   * Real agents stall each on its own host; 10,000 simulated ones on one event loop stalled together, and that loop's
   * bursts (up to a second late at 10,000 agents) were in every latency measured. One loop a core of this machine's
   * two: at 10,000 agents the loops' worst lateness 150-1,085 ms on one, 110-366 ms on two; four took more of the two
   * cores (README, issue #15's session 18).
   */
  @Option(names = "--generator-loops", defaultValue = "2", description = "event loops the simulated agents are spread "
    + "over, in turn (default ${DEFAULT-VALUE}; 1: all on one, as before session 18)")
  int generatorLoops;

  @Option(names = "--connecting", defaultValue = "250", description = "hellos in flight at once while the fleet "
    + "connects; each answered one lets the next agent start (default ${DEFAULT-VALUE})")
  int connecting;

  @Option(names = "--connect-within", defaultValue = "120", description = "seconds an agent keeps trying to connect, "
    + "a second between attempts, as agents do after a coordinator restart (default ${DEFAULT-VALUE})")
  int connectWithin;

  @Option(names = "--steps", split = ",", description = "find the saturation point: run these agent counts in turn "
    + "(a fresh coordinator each, e.g. 2500,5000,7500,10000) and stop at the first that misses a goal")
  List<Integer> steps;

  /** The goals for the fleet's shape: what a step must hold to count as within. */
  static final double GOAL_CROSSING_P99_MS = 100;
  static final double GOAL_COMMIT_P99_MS = 500;
  static final long GOAL_RSS_MB = 1536;

  /** What one run measured, against the goals. */
  record Step(int agents, int connected, double offered, double acked, double stored, double crossingP99,
              double commitP99, long refused, long disconnects, double cpu, long rssMb) {

    /** The first goal missed, or null. */
    String missed() {
      if (connected < agents) {
        return "connections (" + connected + " of " + agents + ")";
      }
      if (refused > 0) {
        return "refused batches (" + refused + ")";
      }
      if (acked < offered * 0.95) {
        return String.format("throughput (%.0f of %.0f results/s acknowledged)", acked, offered);
      }
      if (crossingP99 > GOAL_CROSSING_P99_MS) {
        return String.format("crossing -> command p99 (%.0f ms)", crossingP99);
      }
      if (commitP99 > GOAL_COMMIT_P99_MS) {
        return String.format("receipt -> commit p99 (<= %.0f ms)", commitP99);
      }
      return rssMb > GOAL_RSS_MB ? "resident memory (" + rssMb + " MB)" : null;
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new FleetBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (coordinators < 1 || coordinators > 1 && postgres == null) {
      System.err.println("--coordinators: 1, or more with --postgres (clustered coordinators share the database)");
      return 2;
    }
    if (batchWindowMillis != null && (batchWindowMillis < 0 || batchWindowMillis > 5000)) {
      System.err.println("--batch-window: 0 to 5000 ms, as the agent's coordinator.batchWindow");
      return 2;
    }
    if (generatorLoops < 1 || generatorLoops > 16) {
      System.err.println("--generator-loops: 1 to 16 (event loops the simulated agents are spread over)");
      return 2;
    }
    if (connecting < 1 || connectWithin < 1) {
      System.err.println("--connecting and --connect-within: 1 or more (hellos in flight; seconds to connect the fleet)");
      return 2;
    }
    if (failover && coordinators < 2) {
      System.err.println("--failover needs --coordinators 2 or more (the killed node's agents move to the others)");
      return 2;
    }
    try {
      return runSteps();
    } finally {
      dropSchema();
    }
  }

  /**
   * The run's schema holds every result it stored (a 10,000-agent run leaves about half a GB): dropped at the end
   * unless {@code --keep-schema}, so runs do not pile up in the database.
   */
  private void dropSchema() {
    if (postgres == null || keepSchema) {
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      Pool admin = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(PgConnectOptions.fromUri(postgres)).using(vertx).build();
      admin.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute()
        .eventually(admin::close).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.printf("could not drop schema %s (drop it by hand): %s%n", schema, e.getMessage());
    } finally {
      vertx.close().await();
    }
  }

  private int runSteps() throws Exception {
    if (steps == null || steps.isEmpty()) {
      runOnce(agents);
      return 0;
    }
    List<Step> done = new ArrayList<>();
    String gaveWay = null;
    for (int count : steps) {
      System.out.printf("%n== step: %d agents ==%n", count);
      Step step = runOnce(count);
      done.add(step);
      gaveWay = step.missed();
      if (gaveWay != null) {
        break;
      }
    }
    System.out.printf("%n%8s %9s %9s %9s %12s %11s %8s %8s %6s %7s%n", "agents", "offered/s", "acked/s", "stored/s",
      "cross p99 ms", "commit p99", "refused", "discon.", "CPU %", "RSS MB");
    for (Step step : done) {
      System.out.printf("%8d %9.0f %9.0f %9.0f %12.1f %11s %8d %8d %6.0f %7d%n", step.agents(), step.offered(),
        step.acked(), step.stored(), step.crossingP99(), Double.isNaN(step.commitP99()) ? "-"
          : String.format("<=%.0f ms", step.commitP99()), step.refused(), step.disconnects(), step.cpu(),
        step.rssMb());
    }
    Step last = done.get(done.size() - 1);
    if (gaveWay == null) {
      System.out.printf("saturation: not reached; every step held the goals, up to %d agents%n", last.agents());
    } else {
      String within = done.size() > 1 ? done.get(done.size() - 2).agents() + " agents held the goals; " : "";
      System.out.printf("saturation: %sat %d agents the first to give way was %s%n", within, last.agents(), gaveWay);
    }
    return 0;
  }

  private Step runOnce(int agents) throws Exception {
    List<Integer> ports = freePorts(coordinators);
    List<Integer> clusterPorts = freePorts(coordinators);
    Path dir = Files.createTempDirectory("kelpie-fleet-bench");
    List<Process> started = new ArrayList<>();
    // epoll where it loads, as the real agent takes it (AgentThreads)
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, generatorLoops))
      .setPreferNativeTransport(true));
    try {
      for (int node = 0; node < coordinators; node++) {   // one after the other: each joins those before it
        Path config = dir.resolve("coordinator-" + node + ".yaml");
        Files.writeString(config, coordinatorYaml(ports.get(node), agents) + clusterYaml(clusterPorts, node));
        List<String> command = new ArrayList<>();
        ProcessBuilder builder = new ProcessBuilder(command);
        if (launcher.equals("none")) {
          command.add("java");
          if (!coordinatorOpts.isBlank()) {
            command.addAll(List.of(coordinatorOpts.trim().split("\\s+")));
          }
          command.addAll(List.of("-jar", coordinatorJar.toString()));
        } else {
          command.add(launcher);
          builder.environment().put("KELPIE_COORDINATOR_JAR", coordinatorJar.toAbsolutePath().toString());
          builder.environment().put("KELPIE_COORDINATOR_JAVA_OPTS", coordinatorOpts.trim());
        }
        command.addAll(List.of("--config", config.toString()));
        started.add(builder.redirectErrorStream(true).redirectOutput(dir.resolve(logName(node)).toFile()).start());
        awaitHealthy(ports.get(node), started.get(node));
      }
      return run(vertx, ports, started.stream().map(Process::pid).toList(), agents);
    } finally {
      vertx.close().await();
      ProbePacer.reset();
      for (Process coordinator : started) {
        coordinator.destroy();
        if (!coordinator.waitFor(20, TimeUnit.SECONDS)) {
          coordinator.destroyForcibly();
        }
      }
      for (int node = 0; node < started.size(); node++) {
        System.out.println("coordinator log: " + dir.resolve(logName(node)));
      }
    }
  }

  private String logName(int node) {
    return coordinators == 1 ? "coordinator.log" : "coordinator-" + node + ".log";
  }

  private String clusterYaml(List<Integer> clusterPorts, int node) {
    if (coordinators == 1) {
      return "";
    }
    return "cluster: {enabled: true, name: fleet-bench-" + clusterPorts.get(0) + ", host: 127.0.0.1, port: "
      + clusterPorts.get(node) + ", members: " + clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList() + "}\n";
  }

  private static List<Integer> freePorts(int count) throws IOException {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        ports.add(socket.getLocalPort());
      }
    }
    return ports;
  }

  private Step run(Vertx vertx, List<Integer> ports, List<Long> coordinatorPids, int agents) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20).setMaxConnections(agents + 10)
      .setConnectTimeout(30_000));
    FleetTally tally = new FleetTally();
    GeneratorStalls stalls = GeneratorStalls.watch(vertx);
    // the agents' connections (and so their timers) on the loops in turn; from this thread all would share one
    List<Context> loops = new ArrayList<>();
    for (int i = 0; i < generatorLoops; i++) {
      loops.add(((VertxInternal) vertx).createEventLoopContext());
    }
    List<FleetAgent> fleet = new ArrayList<>();
    long connectStart = System.nanoTime();
    long connectDeadline = connectStart + TimeUnit.SECONDS.toNanos(connectWithin);
    // a window of hellos in flight, the next agent starting as soon as one is answered: a wave that waits for its
    // slowest member leaves the coordinator idle meanwhile
    Semaphore inFlight = new Semaphore(connecting);
    AtomicLong lastConnected = new AtomicLong(connectStart);
    List<Future<Boolean>> hellos = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      FleetAgent agent = new FleetAgent(vertx, "fleet-" + i, checks, Duration.ofMillis(intervalMillis),
        Duration.ofSeconds(crossEverySeconds), batchWindow(), tally);
      if (failover) {
        List<Integer> others = new ArrayList<>();
        for (int k = 1; k < ports.size(); k++) {
          others.add(ports.get((i + k) % ports.size()));
        }
        agent.failover(others);
      }
      inFlight.acquire();
      int port = ports.get(i % ports.size());
      String token = "token-" + i;
      Context loop = loops.get(i % loops.size());
      Promise<Void> hello = Promise.promise();
      loop.runOnContext(v -> agent.connectRetrying(client, port, token, connectDeadline).onComplete(hello));
      hellos.add(hello.future()
        .onSuccess(v -> {
          lastConnected.accumulateAndGet(System.nanoTime(), Math::max);
          agent.start();
          tally.startedOn(Thread.currentThread().getName());
        })
        .transform(done -> {
          inFlight.release();
          return Future.succeededFuture(done.succeeded());
        }));
      fleet.add(agent);
    }
    int connected = 0;
    for (Future<Boolean> hello : hellos) {
      if (hello.await()) {
        connected++;
      }
    }
    // the time until the last agent connected: one that never does is counted out, not waited for to --connect-within
    System.out.printf("connected %d of %d agents in %d ms (%d hellos in flight at most; %d attempts failed and were "
        + "tried again%s)%n", connected, agents, Duration.ofNanos(lastConnected.get() - connectStart).toMillis(),
      connecting, tally.helloFailures(), tally.lastHelloFailure() == null ? "" : ", the last: "
        + tally.lastHelloFailure());

    Thread.sleep(warmup * 1000L);
    tally.measuring(true);
    stalls.measuring(true);
    long ackedBefore = tally.acknowledged();
    long batchesBefore = tally.batches();
    long keepalivesBefore = tally.keepalives();
    double storedBefore = 0;
    List<String> metricsBefore = new ArrayList<>();
    for (int port : ports) {
      metricsBefore.add(get(port, "/metrics"));
      storedBefore += resultsStored(metricsBefore.get(metricsBefore.size() - 1));
    }
    List<Long> cpuBefore = new ArrayList<>();
    for (long pid : coordinatorPids) {
      cpuBefore.add(MachineCpu.cpuTicks(pid));
    }
    long generatorBefore = generatorCpuNanos();
    MachineCpu rest = MachineCpu.from("postgres");
    long start = System.nanoTime();
    watchAdvice(tally, ports, start, seconds);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long generatorCpu = generatorCpuNanos() - generatorBefore;
    MachineCpu.Spent restSpent = rest.until(elapsed);
    List<Long> cpuAfter = new ArrayList<>();
    for (long pid : coordinatorPids) {
      cpuAfter.add(MachineCpu.cpuTicks(pid));
    }
    long acked = tally.acknowledged() - ackedBefore;
    long batches = tally.batches() - batchesBefore;
    long keepalives = tally.keepalives() - keepalivesBefore;
    tally.measuring(false);
    stalls.measuring(false);
    stalls.stop();
    List<String> metrics = new ArrayList<>();
    List<Long> rssKb = new ArrayList<>();
    double stored = -storedBefore;
    for (int node = 0; node < ports.size(); node++) {
      metrics.add(get(ports.get(node), "/metrics"));
      rssKb.add(rssKb(coordinatorPids.get(node)));
      stored += resultsStored(metrics.get(node));
    }
    long refused = tally.refused();
    String lastRefusal = tally.lastRefusal();
    long disconnects = tally.disconnects();
    String failedOver = failover ? failover(tally, coordinatorPids.get(0), ports.size(), agents) : null;
    fleet.forEach(FleetAgent::stop);

    List<Long> commands = tally.commandNanos();
    List<Long> acks = tally.ackNanos();
    System.out.printf("machine: %d cores, Java %s; %s (%s)%n",
      Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
      ports.size() == 1 ? "coordinator: its own process" : ports.size() + " clustered coordinators, each its own "
        + "process, the agents spread over them in turn",
      coordinatorOpts.isBlank() ? "default JVM options" : coordinatorOpts);
    System.out.printf("shape: %d agents x %d checks every %d ms (%.0f results/s offered), one check crossing its "
        + "threshold per agent every %d s; measured %.1f s after %d s warm-up%n", agents, checks, intervalMillis,
      agents * checks * 1000.0 / intervalMillis, crossEverySeconds, elapsed, warmup);
    System.out.printf("results acknowledged: %.0f per second; stored (committed): %s%n", acked / elapsed,
      postgres == null ? "in memory, as acknowledged" : String.format("%.0f per second", stored / elapsed));
    System.out.printf("frames from agents: %.0f per second (%.0f report batches/s, %.2f reports each, answered by as "
        + "many acknowledgements; %.0f keepalives/s); batch window %d ms%n", (batches + keepalives) / elapsed,
      batches / elapsed, batches == 0 ? 0.0 : (double) acked / batches, keepalives / elapsed, batchWindow().toMillis());
    System.out.printf("report -> acknowledgement: p50 %.1f ms, p99 %.1f ms (%d samples)%n",
      FleetTally.percentileMillis(acks, 0.5), FleetTally.percentileMillis(acks, 0.99), acks.size());
    System.out.printf("threshold crossing -> command at agent: %d commands, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
      commands.size(), FleetTally.percentileMillis(commands, 0.5), FleetTally.percentileMillis(commands, 0.99),
      FleetTally.percentileMillis(commands, 1.0));
    for (int node = 0; node < ports.size(); node++) {
      System.out.printf("receipt -> commit (%s's kelpie_store_commit_seconds, in the measured time): %s; decisions "
        + "written ahead of their lane: %.0f; a decision's facts handed over -> committed "
        + "(kelpie_store_decision_commit_seconds): %s%n", nodeName(node, ports.size()),
        latency(metricsBefore.get(node), metrics.get(node), "kelpie_store_commit_seconds"),
        counter(metrics.get(node), "kelpie_store_written_ahead_total")
          - counter(metricsBefore.get(node), "kelpie_store_written_ahead_total"),
        latency(metricsBefore.get(node), metrics.get(node), "kelpie_store_decision_commit_seconds"));
    }
    System.out.printf("refused batches: %d%s; disconnects: %d%s%n", refused,
      lastRefusal == null ? "" : " (last: " + lastRefusal + ")", disconnects, failover ? " (before the failover)" : "");
    double cpu = 0;
    long rssMb = 0;
    double commitP99 = Double.NaN;
    for (int node = 0; node < ports.size(); node++) {
      double nodeCpu = (cpuAfter.get(node) - cpuBefore.get(node)) / 100.0 / elapsed * 100;
      System.out.printf("%s: CPU %.0f %% of one core (%.1f ms per 1,000 results acknowledged), RSS %d MB%n",
        nodeName(node, ports.size()), nodeCpu, acked == 0 ? Double.NaN : nodeCpu * 10 * elapsed / acked * 1000,
        rssKb.get(node) >> 10);
      cpu += nodeCpu;
      rssMb = Math.max(rssMb, rssKb.get(node) >> 10);
      double p99 = commitP99Millis(metricsBefore.get(node), metrics.get(node));
      commitP99 = Double.isNaN(commitP99) || p99 > commitP99 ? p99 : commitP99;
    }
    System.out.printf("generator (this JVM, the simulated agents): CPU %.0f %% of one core, %.1f ms per 1,000 results "
        + "acknowledged%n", generatorCpu / 1e9 / elapsed * 100,
      acked == 0 ? Double.NaN : generatorCpu / 1e6 / acked * 1000);
    System.out.println(stalls.line() + "; agents per loop " + tally.startedOn());
    restSpent.lines(postgres == null ? 0 : stored).forEach(System.out::println);
    System.out.printf("batch window advised by the coordinator, the last advice per agent: %s%n",
      adviceSpread(tally.lastAdvice()));
    if (failedOver != null) {
      System.out.println(failedOver);
    }
    // a step: CPU summed over the nodes, the largest node's memory and commit p99
    return new Step(agents, connected, agents * checks * 1000.0 / intervalMillis, acked / elapsed,
      postgres == null ? acked / elapsed : stored / elapsed, FleetTally.percentileMillis(commands, 0.99),
      commitP99, refused, disconnects, cpu, rssMb);
  }

  /**
   * Waits out the measured {@code seconds}, printing every 5 s the frames per second the fleet sent and each
   * coordinator's advised batch window, loop lag and store backlog (its {@code kelpie_batch_window_advised_seconds},
   * {@code kelpie_loop_lag_seconds}, {@code kelpie_store_backlog}), so a run shows the advice following the pressure.
   */
  private static void watchAdvice(FleetTally tally, List<Integer> ports, long start, int seconds)
    throws InterruptedException {
    long end = start + seconds * 1_000_000_000L;
    long lastBatches = tally.batches() + tally.keepalives();
    long last = System.nanoTime();
    while (true) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Thread.sleep(Math.min(5000, Math.max(1, left / 1_000_000)));
      long now = System.nanoTime();
      long frames = tally.batches() + tally.keepalives();
      StringBuilder line = new StringBuilder(String.format("  +%3.0f s: %6.0f frames/s", (now - start) / 1e9,
        (frames - lastBatches) / ((now - last) / 1e9)));
      line.append("; ").append(tally.slot());
      for (int node = 0; node < ports.size(); node++) {
        try {
          long scrape = System.nanoTime();
          String metrics = get(ports.get(node), "/metrics");
          scrape = System.nanoTime() - scrape;
          line.append(String.format(
            "; %sadvised %.0f ms, loop lag %.1f ms, store backlog %.0f, /metrics read in %.0f ms",
            ports.size() == 1 ? "" : "node " + node + " ", gauge(metrics, "kelpie_batch_window_advised_seconds") * 1000,
            gauge(metrics, "kelpie_loop_lag_seconds") * 1000, gauge(metrics, "kelpie_store_backlog"), scrape / 1e6));
        } catch (RuntimeException | java.io.IOException e) {
          line.append("; metrics not read: ").append(e.getMessage());
        }
      }
      System.out.println(line);
      lastBatches = frames;
      last = now;
    }
  }

  /** A gauge's value in the coordinator's metrics; NaN when absent (a coordinator from before it). */
  static double gauge(String metrics, String name) {
    Matcher value = Pattern.compile("^" + name + "(?:\\{[^}]*})? (\\S+)", Pattern.MULTILINE).matcher(metrics);
    return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
  }

  /** {@code 1500 ms: 2,400 agents, none: 600} from how many agents were last advised each window. */
  static String adviceSpread(Map<Long, Long> counts) {
    if (counts.isEmpty()) {
      return "none seen";
    }
    StringJoiner spread = new StringJoiner(", ");
    counts.forEach((millis, agents) -> spread.add((millis == 0 ? "none" : millis + " ms") + ": "
      + String.format("%,d", agents) + " agents"));
    return spread.toString();
  }

  private Duration batchWindow() {
    return batchWindowMillis == null ? BatchWindow.DEFAULT : Duration.ofMillis(batchWindowMillis);
  }

  /** Results the coordinator committed so far ({@code kelpie_store_results_written_total}); 0 when not reported. */
  static double resultsStored(String metrics) {
    return counter(metrics, "kelpie_store_results_written_total");
  }

  /** A counter's value in the coordinator's metrics; 0 when not reported. */
  static double counter(String metrics, String name) {
    Matcher total = Pattern.compile("^" + name + "(?:\\{[^}]*})? (\\S+)", Pattern.MULTILINE).matcher(metrics);
    return total.find() ? Double.parseDouble(total.group(1)) : 0;
  }

  /** The upper bound of the bucket holding the 99th percentile of receipt -> commit, in ms; NaN when not reported. */
  static double commitP99Millis(String metrics) {
    return commitP99Millis("", metrics);
  }

  /** As {@link #commitP99Millis(String)}, of what was counted between two readings of the metrics. */
  static double commitP99Millis(String before, String after) {
    List<double[]> buckets = buckets(before, after, "kelpie_store_commit_seconds");
    if (buckets.isEmpty()) {
      return Double.NaN;
    }
    double rank = buckets.get(buckets.size() - 1)[1] * 0.99;
    for (double[] b : buckets) {
      if (b[1] >= rank) {
        return b[0] * 1000;
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /**
   * Kills coordinator 0 with SIGKILL and waits (up to 120 s) until each of its agents (every n-th, from 0) has its
   * hello answered by another node and its first batch acknowledged there; the times from the kill, p50/p99/max.
   */
  private String failover(FleetTally tally, long pid, int nodes, int agents) throws Exception {
    List<String> its = new ArrayList<>();
    for (int i = 0; i < agents; i += nodes) {
      its.add("fleet-" + i);
    }
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    long killed = System.nanoTime();
    long deadline = killed + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline && !tally.ackedAgain().keySet().containsAll(its)) {
      Thread.sleep(100);
    }
    List<Long> owned = sinceKill(tally.ownedAgain(), its, killed);
    List<Long> acked = sinceKill(tally.ackedAgain(), its, killed);
    return String.format("failover (coordinator 0 killed -9, leaseTerm 6 s by default): %d of %d of its agents owned "
        + "again, p50 %.0f ms, p99 %.0f ms, max %.0f ms; first batch acknowledged there: %d, p50 %.0f ms, p99 %.0f ms, "
        + "max %.0f ms", owned.size(), its.size(), FleetTally.percentileMillis(owned, 0.5),
      FleetTally.percentileMillis(owned, 0.99), FleetTally.percentileMillis(owned, 1.0), acked.size(),
      FleetTally.percentileMillis(acked, 0.5), FleetTally.percentileMillis(acked, 0.99),
      FleetTally.percentileMillis(acked, 1.0));
  }

  private static List<Long> sinceKill(java.util.Map<String, Long> at, List<String> agents, long killed) {
    List<Long> out = new ArrayList<>();
    for (String agent : agents) {
      Long when = at.get(agent);
      if (when != null) {
        out.add(when - killed);
      }
    }
    java.util.Collections.sort(out);
    return out;
  }

  private static String nodeName(int node, int nodes) {
    return nodes == 1 ? "coordinator" : "coordinator " + node;
  }

  private String coordinatorYaml(int port, int agents) {
    StringBuilder yaml = new StringBuilder("http: {host: 127.0.0.1, port: " + port
      + ", maxConnectionsPerAddress: 0, eventLoops: " + (eventLoops != null ? eventLoops
      : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))
      + "}\nagents:\n");   // every simulated agent comes from 127.0.0.1
    for (int i = 0; i < agents; i++) {
      yaml.append("  - {id: fleet-").append(i).append(", token: token-").append(i).append("}\n");
    }
    if (rules != null) {
      yaml.append("rules: ").append(rules).append('\n');
    }
    if (windowAdvice != null) {
      yaml.append("gateway: {batchWindowAdvice: ").append(windowAdvice).append("}\n");
    }
    if (postgres != null) {
      yaml.append("store: {postgres: {url: \"").append(postgres).append("\", schema: ").append(schema)
        .append("}}\n");
    }
    return yaml.toString();
  }

  private static void awaitHealthy(int port, Process coordinator) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!coordinator.isAlive()) {
        throw new IllegalStateException("the coordinator exited with " + coordinator.exitValue());
      }
      try {
        get(port, "/health");
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("the coordinator did not answer /health within 60 s");
  }

  private static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
      URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
      HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered " + response.statusCode());
    }
    return response.body();
  }

  /** p50 and p99 from the coordinator's summary quantiles, or estimated from a histogram's buckets. */
  static String commitLatency(String metrics) {
    return latency("", metrics, "kelpie_store_commit_seconds");
  }

  /**
   * As {@link #commitLatency}, of the coordinator's timer {@code name}; from its histogram, of what was counted
   * between the readings {@code before} and {@code after} (a summary's quantiles are the coordinator's own, of its
   * recent past).
   */
  static String latency(String before, String after, String name) {
    String metrics = after;
    Matcher quantile = Pattern.compile("^" + name + "\\{[^}]*quantile=\"(0\\.5|0\\.99)\"[^}]*} (\\S+)",
      Pattern.MULTILINE).matcher(metrics);
    StringBuilder found = new StringBuilder();
    while (quantile.find()) {
      found.append(found.isEmpty() ? "" : ", ").append("p").append(quantile.group(1).equals("0.5") ? "50" : "99")
        .append(' ').append(String.format("%.1f ms", Double.parseDouble(quantile.group(2)) * 1000));
    }
    if (!found.isEmpty()) {
      return found.toString();
    }
    List<double[]> buckets = buckets(before, after, name);
    if (buckets.isEmpty()) {
      return "not reported";
    }
    double total = buckets.get(buckets.size() - 1)[1];
    if (total == 0) {
      return "none counted";
    }
    return "p50 <= " + bucketBound(buckets, total * 0.5) + ", p99 <= " + bucketBound(buckets, total * 0.99)
      + " (histogram buckets; over 10 / 25 / 50 / 100 ms: " + over(buckets, 0.010) + " / " + over(buckets, 0.025)
      + " / " + over(buckets, 0.050) + " / " + over(buckets, 0.100) + String.format(" of %.0f)", total);
  }

  /** How many were counted above {@code bound} seconds, when it is one of the buckets' bounds ("?" if not). */
  private static String over(List<double[]> buckets, double bound) {
    double total = buckets.get(buckets.size() - 1)[1];
    for (double[] b : buckets) {
      if (Math.abs(b[0] - bound) < 1e-9) {
        return String.format("%.0f", total - b[1]);
      }
    }
    return "?";
  }

  /** The receipt -> commit histogram's buckets as {upper bound in s, cumulative count}, smallest bound first. */
  /** The histogram {@code name}'s buckets counted between two readings, as {upper bound in s, cumulative count}. */
  private static List<double[]> buckets(String before, String after, String name) {
    List<double[]> earlier = buckets(before, name);
    List<double[]> later = buckets(after, name);
    for (double[] bucket : later) {
      for (double[] was : earlier) {
        if (was[0] == bucket[0]) {
          bucket[1] -= was[1];
        }
      }
    }
    return later;
  }

  private static List<double[]> buckets(String metrics, String name) {
    Matcher bucket = Pattern.compile("^" + name + "_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} (\\S+)",
      Pattern.MULTILINE).matcher(metrics);
    List<double[]> buckets = new ArrayList<>();
    while (bucket.find()) {
      double le = bucket.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bucket.group(1));
      buckets.add(new double[] {le, Double.parseDouble(bucket.group(2))});
    }
    buckets.sort((a, b) -> Double.compare(a[0], b[0]));
    return buckets;
  }

  private static String bucketBound(List<double[]> buckets, double rank) {
    for (double[] b : buckets) {
      if (b[1] >= rank) {
        return Double.isInfinite(b[0]) ? "+Inf" : String.format("%.0f ms", b[0] * 1000);
      }
    }
    return "+Inf";
  }

  /** This JVM's CPU time so far (every thread, user and system). */
  private static long generatorCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }
}
