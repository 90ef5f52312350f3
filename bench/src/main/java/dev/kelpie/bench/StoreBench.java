package dev.kelpie.bench;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.PgStore;
import dev.kelpie.coordinator.store.StoreWriter;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * PostgreSQL's own cost per stored result, without a coordinator: the fleet's reports (one batch per agent and interval,
 * its results and its agent row) written through {@link StoreWriter} and {@link PgStore} into the real schema, at a
 * fixed offered rate. Prints results/s committed, receipt -> commit p50/p99, and the CPU time the database's backends
 * (this bench's connections only, from /proc) and this JVM spent per thousand results. {@code --after-migrate} changes
 * the schema before the run, to weigh an index or a table option against today's.
 */
@Command(name = "store-bench", mixinStandardHelpOptions = true)
public final class StoreBench implements Callable<Integer> {

  private static final String APPLICATION = "kelpie-storebench";

  @Option(names = "--postgres", defaultValue = "postgresql://postgres@127.0.0.1:5432/test")
  String postgres;

  @Option(names = "--schema", defaultValue = "kelpie_storebench", description = "dropped and made again for each run")
  String schema;

  @Option(names = "--agents", defaultValue = "3000")
  int agents;

  @Option(names = "--checks", defaultValue = "10")
  int checks;

  @Option(names = "--interval-ms", defaultValue = "3000")
  int intervalMs;

  @Option(names = "--lanes", defaultValue = "2", description = "transactions in flight (the coordinator: poolSize / 2)")
  int lanes;

  @Option(names = "--pool", defaultValue = "4")
  int poolSize;

  @Option(names = "--warmup", defaultValue = "10")
  int warmupSeconds;

  @Option(names = "--seconds", defaultValue = "30")
  int seconds;

  @Option(names = "--prefill", defaultValue = "0", description = "history rows put in before the run (indexes as big as "
    + "a running fleet's)")
  long prefill;

  @Option(names = "--after-migrate", description = "SQL run on the schema after the migrations (statements split on ;)")
  String afterMigrate;

  @Option(names = "--write-timeout-s", defaultValue = "30", description = "a write not committed by then is retried on new "
    + "connections (the coordinator's store.writeTimeout, 3 s by default; longer here so a loaded machine does not "
    + "turn the measure into retries)")
  int writeTimeoutSeconds;

  @Option(names = "--keep", description = "keep the schema afterwards")
  boolean keep;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setBlockedThreadCheckInterval(10_000));
    PgConnectOptions admin = PgConnectOptions.fromUri(postgres).addProperty("application_name", APPLICATION + "-admin");
    Pool adminPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(admin).using(vertx).build();
    adminPool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await();
    PgConnectOptions connect = PgConnectOptions.fromUri(postgres).addProperty("application_name", APPLICATION);
    PgStore store = new PgStore(vertx, connect, schema, poolSize);
    store.open(System.currentTimeMillis()).await();
    if (afterMigrate != null) {
      for (String statement : afterMigrate.split(";")) {
        if (!statement.isBlank()) {
          adminPool.query("SET search_path = " + schema + "; " + statement).execute().await();
        }
      }
    }
    if (prefill > 0) {
      long started = System.nanoTime();
      adminPool.query("INSERT INTO " + schema + ".results (agent_id, seq, check_id, at, up, latency_ms, detail) "
        + "SELECT 'agent-' || (n % " + agents + "), -n, 'check-' || (n % " + checks + "), "
        + "now() - make_interval(secs => (" + prefill + " - n) * " + intervalMs + " / 1000.0 / " + (agents * checks)
        + "), true, 3, NULL FROM generate_series(1::bigint, " + prefill + ") AS n").execute().await();
      adminPool.query("VACUUM ANALYZE " + schema + ".results").execute().await();
      System.out.printf("prefilled %d rows in %.1f s%n", prefill, (System.nanoTime() - started) / 1e9);
    }
    Load load = new Load(store);
    vertx.deployVerticle(load).await();
    sleep(warmupSeconds);
    Snapshot before = snapshot(adminPool, vertx, load);
    sleep(seconds);
    Snapshot after = snapshot(adminPool, vertx, load);
    vertx.undeploy(load.deploymentID()).await();
    long[] latencies = load.latencies();
    report(before, after, latencies);
    store.close().await();
    if (!keep) {
      adminPool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().await();
    }
    adminPool.close().await();
    vertx.close().await();
    return 0;
  }

  private record Snapshot(long nanos, long committed, long offered, long backendTicks, long jvmNanos, long walBytes,
                          long backlog) {
  }

  private Snapshot snapshot(Pool adminPool, Vertx vertx, Load load) {
    List<Integer> pids = new ArrayList<>();
    long wal = 0;
    for (Row row : adminPool.query("SELECT pid, pg_current_wal_lsn() - '0/0' FROM pg_stat_activity "
      + "WHERE application_name = '" + APPLICATION + "'").execute().await()) {
      pids.add(row.getInteger(0));
      wal = row.getNumeric(1).longValue();
    }
    long ticks = 0;
    for (int pid : pids) {
      ticks += cpuTicks(pid);
    }
    long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
      .getProcessCpuTime();
    long[] counts = load.counts();
    return new Snapshot(System.nanoTime(), counts[0], counts[1], ticks, jvm, wal, counts[2]);
  }

  /** utime + stime of a process, in clock ticks (1/100 s). */
  private static long cpuTicks(int pid) {
    try {
      return MachineCpu.cpuTicks(pid);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private void report(Snapshot before, Snapshot after, long[] latencies) {
    double elapsed = (after.nanos - before.nanos) / 1e9;
    long committed = after.committed - before.committed;
    double backendCpu = (after.backendTicks - before.backendTicks) / 100.0;
    double jvmCpu = (after.jvmNanos - before.jvmNanos) / 1e9;
    Arrays.sort(latencies);
    System.out.printf("offered %.0f/s committed %.0f/s | commit p50 %d ms p99 %d ms max %d ms | backlog %d | "
        + "PG backends %.1f%% of a core, %.2f ms CPU per 1000 results | bench JVM %.1f%% (%.2f ms/1000) | "
        + "WAL (whole cluster) %.0f bytes/result | lanes %d pool %d | %s%n",
      (after.offered - before.offered) / elapsed, committed / elapsed, percentile(latencies, 0.5),
      percentile(latencies, 0.99), latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1_000_000, after.backlog,
      100 * backendCpu / elapsed, 1000 * backendCpu * 1000 / Math.max(1, committed), 100 * jvmCpu / elapsed,
      1000 * jvmCpu * 1000 / Math.max(1, committed), (after.walBytes - before.walBytes) / (double) Math.max(1, committed),
      lanes, poolSize, afterMigrate == null ? "schema as migrated" : afterMigrate);
  }

  private static long percentile(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1_000_000;
  }

  private static void sleep(int seconds) throws InterruptedException {
    Thread.sleep(seconds * 1000L);
  }

  /**
   * The fleet's reports at their pace, each agent once per interval (spread evenly), submitted as the policy verticle
   * does, from a verticle's context; latencies are kept from the warmup on (the first interval excluded).
   */
  private final class Load extends VerticleBase {
    private final PgStore store;
    private StoreWriter writer;
    private long[] seq;
    private long timer;
    private long started;
    private long offered;
    private long committed;
    private long measureFrom;
    private long[] latencies = new long[1 << 20];
    private int latencyCount;

    Load(PgStore store) {
      this.store = store;
    }

    @Override
    public Future<?> start() {
      writer = new StoreWriter(vertx, store, 10_000_000, Duration.ofSeconds(1),
        Duration.ofSeconds(writeTimeoutSeconds), lanes,
        new SimpleMeterRegistry());
      seq = new long[agents];
      started = System.nanoTime();
      measureFrom = started + warmupSeconds * 1_000_000_000L;
      timer = vertx.setPeriodic(10, id -> tick());
      return Future.succeededFuture();
    }

    private long sent;

    /** Every agent due by now sends its batch. */
    private void tick() {
      long elapsedMicros = (System.nanoTime() - started) / 1000;
      long due = elapsedMicros * agents / (intervalMs * 1000L);
      Instant now = Instant.now();
      for (; sent < due; sent++) {
        int agent = (int) (sent % agents);
        Facts facts = new Facts();
        String agentId = "agent-" + agent;
        for (int c = 0; c < checks; c++) {
          facts.results.add(new ProbeResult(agentId, ++seq[agent], "check-" + c, now,
            (seq[agent] % 97 == 0) ? Outcome.DOWN : Outcome.UP, Duration.ofMillis(3), null));
        }
        facts.agents.put(agentId, new Facts.AgentRecord(agentId, "host-" + agent, "bench", seq[agent], now, null));
        offered += checks;
        long submitted = System.nanoTime();
        writer.submit(facts).onSuccess(v -> {
          committed += checks;
          long done = System.nanoTime();
          if (submitted >= measureFrom && latencyCount < latencies.length) {
            latencies[latencyCount++] = done - submitted;
          }
        });
      }
    }

    /** Committed, offered, backlog (read on this verticle's context). */
    long[] counts() {
      return onContext(() -> new long[] {committed, offered, writer.status().getInteger("backlog")});
    }

    long[] latencies() {
      return onContext(() -> Arrays.copyOf(latencies, latencyCount));
    }

    private <T> T onContext(java.util.function.Supplier<T> read) {
      io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
      context.runOnContext(v -> promise.complete(read.get()));
      return promise.future().await();
    }

    @Override
    public Future<?> stop() {
      vertx.cancelTimer(timer);
      return Future.succeededFuture();
    }
  }
}
