package dev.kelpie.bench;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives one coordinator with N simulated agents over real WebSocket connections on loopback, and prints results
 * ingested per second (through gateway and policy) and the latency from a threshold-crossing result to its command
 * arriving at the agent. Coordinator and agents share this JVM and the machine's cores; the figures are a floor.
 */
@Command(name = "kelpie-bench", mixinStandardHelpOptions = true)
public final class LoopBench implements Callable<Integer> {

  @Option(names = "--agents", defaultValue = "1000", description = "simulated agents (default ${DEFAULT-VALUE})")
  int agents;

  @Option(names = "--batch", defaultValue = "20", description = "results per batch (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--pause-ms", defaultValue = "0",
    description = "pause between an agent's batches; 0 sends as fast as acknowledged (default ${DEFAULT-VALUE})")
  long pauseMillis;

  @Option(names = "--fail-every", defaultValue = "25",
    description = "an agent crosses its threshold every this many batches (default ${DEFAULT-VALUE})")
  long failEvery;

  @Option(names = "--warmup", defaultValue = "5", description = "seconds before measuring (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--seconds", defaultValue = "20", description = "seconds measured (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--postgres", description = "store history in this PostgreSQL (postgresql://user@host:port/db), "
    + "in a fresh schema; results then count once committed")
  String postgres;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoopBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    StringBuilder yaml = new StringBuilder("http: {host: 127.0.0.1, port: 0}\ncommands: {ttl: 30s, answerTimeout: 60s}\n"
      + "agents:\n");
    for (int i = 0; i < agents; i++) {
      yaml.append("  - {id: sim-").append(i).append(", token: token-").append(i).append("}\n");
    }
    String schema = "bench_" + Long.toHexString(System.nanoTime());
    if (postgres != null) {
      yaml.append("store: {postgres: {url: \"").append(postgres).append("\", schema: ").append(schema)
        .append(", poolSize: 4}}\n");
    }
    CoordinatorConfig config = CoordinatorConfig.fromYaml(yaml.toString(), "bench.yaml", Map.of());
    var registry = Coordinator.newRegistry();
    // the bench prints the commit time's p50 and p99 itself; /metrics publishes buckets only
    registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
      @Override
      public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
        io.micrometer.core.instrument.Meter.Id id,
        io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
        return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder()
          .percentiles(0.5, 0.99).build().merge(config);
      }
    });
    Vertx coordinatorVertx = Coordinator.newVertx(registry);
    Coordinator coordinator = Coordinator.deploy(coordinatorVertx, config, Clock.systemUTC(), registry).await();

    Vertx agentVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    WebSocketClient client = agentVertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20).setMaxConnections(agents + 10));
    AtomicLong ingested = new AtomicLong();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong measuring = new AtomicLong();
    List<SimulatedAgent> simulated = new ArrayList<>();
    List<Future<Void>> connected = new ArrayList<>();
    long connectStart = System.nanoTime();
    for (int i = 0; i < agents; i++) {
      SimulatedAgent agent = new SimulatedAgent(agentVertx, "sim-" + i, batch, pauseMillis, failEvery, ingested, nanos -> {
        if (measuring.get() == 1) {
          latencies.add(nanos);
        }
      });
      simulated.add(agent);
      connected.add(agent.connect(client, coordinator.port(), "token-" + i));
    }
    Future.all(connected).await();
    System.out.printf("connected %d agents in %d ms%n", agents,
      Duration.ofNanos(System.nanoTime() - connectStart).toMillis());
    simulated.forEach(agent -> agentVertx.runOnContext(v -> agent.run()));

    Thread.sleep(warmup * 1000L);
    measuring.set(1);
    long before = ingested.get();
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long after = ingested.get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    measuring.set(0);
    simulated.forEach(SimulatedAgent::stop);

    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.gc();
    long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
    System.out.printf("machine: %d cores, Java %s%n", Runtime.getRuntime().availableProcessors(),
      System.getProperty("java.version"));
    System.out.printf("agents %d, batch %d, pause %d ms, measured %.1f s after %d s warm-up%n", agents, batch, pauseMillis, elapsed, warmup);
    System.out.printf("results ingested: %.0f per second (%d in all)%n", (after - before) / elapsed, after - before);
    System.out.printf("threshold crossing -> command at agent: %d commands, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
      sorted.size(), FleetTally.percentileMillis(sorted, 0.50), FleetTally.percentileMillis(sorted, 0.99),
      FleetTally.percentileMillis(sorted, 1.0));
    System.out.printf("heap in use after GC (coordinator and simulated agents): %d MB%n", heapMb);
    if (postgres != null) {
      var commit = registry.get("kelpie_store_commit").timer().takeSnapshot();
      double p50 = Double.NaN;
      double p99 = Double.NaN;
      for (var value : commit.percentileValues()) {
        if (value.percentile() == 0.5) {
          p50 = value.value(java.util.concurrent.TimeUnit.MILLISECONDS);
        } else if (value.percentile() == 0.99) {
          p99 = value.value(java.util.concurrent.TimeUnit.MILLISECONDS);
        }
      }
      System.out.printf("store: PostgreSQL, schema %s; receipt -> commit p50 %.1f ms, p99 %.1f ms "
        + "(results are acknowledged only once committed)%n", schema, p50, p99);
    }
    agentVertx.close().await();
    coordinatorVertx.close().await();
    return 0;
  }
}
