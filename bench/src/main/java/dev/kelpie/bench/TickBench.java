package dev.kelpie.bench;

import dev.kelpie.coordinator.policy.FleetMetrics;
import dev.kelpie.coordinator.policy.FleetState;
import dev.kelpie.coordinator.policy.Outcome;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The coordinator's 250 ms tick alone, without sockets or a store: a {@link FleetState} holding {@code agents x
 * checks} checks, one round of results in, then {@code ticks} ticks timed. With {@code --reporting}, a quarter of the
 * agents report before each tick (every agent once a second). The gauges ({@code FleetState.counts()}) are read every
 * fourth tick, as the policy verticle reads them once a second. Prints ns per tick, per counts() and per batch (wall
 * clock and this thread's CPU time), and the bytes each allocates (a figure other processes on the machine do not
 * disturb). With {@code --failing}, that many checks per thousand fail: their restarts are decided, admitted by the
 * fleet rules and answered done in the agent's next batch, as when many services of a large fleet go down at once.
 */
@Command(name = "kelpie-tick-bench", mixinStandardHelpOptions = true)
public final class TickBench implements Callable<Integer> {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration TICK = Duration.ofMillis(250);

  @Option(names = "--agents", defaultValue = "5000", description = "agents (default ${DEFAULT-VALUE})")
  int agents;

  @Option(names = "--checks", defaultValue = "10", description = "checks per agent (default ${DEFAULT-VALUE})")
  int checks;

  @Option(names = "--ticks", defaultValue = "1000", description = "ticks timed (default ${DEFAULT-VALUE})")
  int ticks;

  @Option(names = "--rounds", defaultValue = "3", description = "timed runs, the best printed (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--reporting", description = "a quarter of the agents report before each tick")
  boolean reporting;

  @Option(names = "--failing", defaultValue = "0",
    description = "checks failing, per thousand, so that restarts are decided and run (default ${DEFAULT-VALUE})")
  int failing;

  private final AtomicLong commandIds = new AtomicLong();
  private long[] seqs;
  /** The commands each agent was sent, answered done in its next batch. */
  private List<List<dev.kelpie.shared.message.Command>> sent;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TickBench()).execute(args));
  }

  @Override
  public Integer call() {
    // a hello is logged at info: 5,000 lines before every run say nothing here
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.kelpie"))
      .setLevel(ch.qos.logback.classic.Level.WARN);
    long best = Long.MAX_VALUE;
    for (int round = 0; round < rounds; round++) {
      seqs = new long[agents];
      sent = new ArrayList<>();
      for (int a = 0; a < agents; a++) {
        sent.add(new ArrayList<>());
      }
      FleetState fleet = new FleetState(1, Duration.ofSeconds(30), Duration.ofSeconds(60),
        () -> "cmd-" + commandIds.incrementAndGet(), Duration.ofHours(1), FleetMetrics.NONE);
      Instant now = T0;
      for (int a = 0; a < agents; a++) {
        fleet.hello(hello("agent-" + a), now);
      }
      now = now.plusSeconds(1);
      for (int a = 0; a < agents; a++) {
        take(a, fleet.reports(round(a, now), now));
      }
      fleet.tick(now);
      long spent = 0;
      long spentReporting = 0;
      long spentCounting = 0;
      long[] allocated = new long[3];
      long[] cpu = new long[3];
      int batches = 0;
      int countings = 0;
      for (int i = 0; i < ticks; i++) {
        now = now.plus(TICK);
        if (reporting) {
          long start = System.nanoTime();
          long bytes = allocatedBytes();
          long cpuAt = cpuNanos();
          for (int a = i % 4; a < agents; a += 4) {
            take(a, fleet.reports(round(a, now), now));
            batches++;
          }
          cpu[1] += cpuNanos() - cpuAt;
          allocated[1] += allocatedBytes() - bytes;
          spentReporting += System.nanoTime() - start;
        }
        long start = System.nanoTime();
        long bytes = allocatedBytes();
        long cpuAt = cpuNanos();
        fleet.tick(now).commands().forEach(command -> sent.get(agentOf(command)).add(command));
        cpu[0] += cpuNanos() - cpuAt;
        allocated[0] += allocatedBytes() - bytes;
        spent += System.nanoTime() - start;
        if (i % 4 == 3) {   // the gauges, once a second as the policy verticle reads them
          start = System.nanoTime();
          bytes = allocatedBytes();
          cpuAt = cpuNanos();
          fleet.counts();
          cpu[2] += cpuNanos() - cpuAt;
          allocated[2] += allocatedBytes() - bytes;
          spentCounting += System.nanoTime() - start;
          countings++;
        }
      }
      long perTick = spent / ticks;
      System.out.printf("round %d: %,d ns per tick (%d agents x %d checks, %s, %d per thousand failing)%n", round + 1,
        perTick, agents, checks, reporting ? "a quarter reporting before each tick" : "quiet", failing);
      System.out.printf("  allocated: %,d bytes per tick, %,d per counts()%s%n", allocated[0] / ticks,
        allocated[2] / Math.max(1, countings), reporting ? String.format(", %,d per batch of %d results",
          allocated[1] / Math.max(1, batches), checks) : "");
      System.out.printf("  %,d ns per counts()%s%n", spentCounting / Math.max(1, countings), reporting
        ? String.format(", %,d ns per batch", spentReporting / Math.max(1, batches)) : "");
      System.out.printf("  thread CPU: %,d ns per tick, %,d per counts()%s%n", cpu[0] / ticks,
        cpu[2] / Math.max(1, countings), reporting ? String.format(", %,d per batch", cpu[1] / Math.max(1, batches))
          : "");
      best = Math.min(best, perTick);
    }
    System.out.printf("best: %,d ns per tick%n", best);
    return 0;
  }

  /** What this thread allocated so far: a count that other processes on the machine do not disturb. */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
      .getCurrentThreadAllocatedBytes();
  }

  /** This thread's CPU time: on a shared machine, steadier than the wall clock (time spent waiting is not in it). */
  private static long cpuNanos() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private AgentHello hello(String agentId) {
    PolicySpec policy = PolicySpec.defaults();
    List<CheckSpec> specs = new ArrayList<>();
    for (int c = 0; c < checks; c++) {
      specs.add(new CheckSpec("check-" + c, CheckType.HTTP, "svc-" + (c % 3), "GET http://localhost/" + c, policy));
    }
    return new AgentHello(agentId, agentId + ".example", "bench", specs, List.of());
  }

  private void take(int agent, Outcome<?> outcome) {
    sent.get(agent).addAll(outcome.commands());
  }

  private static int agentOf(dev.kelpie.shared.message.Command command) {
    return Integer.parseInt(command.agentId().substring("agent-".length()));
  }

  private ReportBatch round(int agent, Instant now) {
    String agentId = "agent-" + agent;
    List<Report> results = new ArrayList<>(checks);
    for (dev.kelpie.shared.message.Command command : sent.get(agent)) {
      results.add(CommandResult.of(command, CommandStatus.DONE, "restarted", now, Duration.ofMillis(200), 7L)
        .withSeq(++seqs[agent]));
    }
    sent.get(agent).clear();
    for (int c = 0; c < checks; c++) {
      ProbeResult result = (agent * checks + c) % 1000 < failing
        ? ProbeResult.down(agentId, "check-" + c, now, Duration.ofMillis(3), "refused")
        : ProbeResult.up(agentId, "check-" + c, now, Duration.ofMillis(3), "ok");
      results.add(result.withSeq(++seqs[agent]));
    }
    return new ReportBatch(agentId, now, results);
  }
}
