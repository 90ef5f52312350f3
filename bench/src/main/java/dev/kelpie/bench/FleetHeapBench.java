package dev.kelpie.bench;

import dev.kelpie.coordinator.policy.FleetMetrics;
import dev.kelpie.coordinator.policy.FleetState;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the coordinator's fleet state keeps per agent, without sockets or a store: a {@link FleetState} is given
 * {@code agents} hellos and {@code rounds} rounds of results as FleetBench's agents send them, each through its JSON
 * form as the gateway parses it, with a tick after each round; then the heap still used after a full GC, per agent
 * and per check. {@code --hold} keeps the process alive afterwards for {@code jcmd <pid> GC.class_histogram}.
 */
@Command(name = "kelpie-fleet-heap-bench", mixinStandardHelpOptions = true)
public final class FleetHeapBench implements Callable<Integer> {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Option(names = "--agents", defaultValue = "3000", description = "agents (default ${DEFAULT-VALUE})")
  int agents;

  @Option(names = "--checks", defaultValue = "10", description = "checks per agent (default ${DEFAULT-VALUE})")
  int checks;

  @Option(names = "--rounds", defaultValue = "20", description = "rounds of results (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--hold", description = "stay alive after measuring, for jcmd")
  boolean hold;

  private final AtomicLong commandIds = new AtomicLong();

  public static void main(String[] args) throws Exception {
    System.exit(new CommandLine(new FleetHeapBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.kelpie"))
      .setLevel(ch.qos.logback.classic.Level.WARN);
    long before = usedAfterGc();
    FleetState fleet = new FleetState(1, Duration.ofSeconds(30), Duration.ofSeconds(60),
      () -> "cmd-" + commandIds.incrementAndGet(), Duration.ofHours(1), FleetMetrics.NONE);
    Instant now = T0;
    long[] seqs = new long[agents];
    for (int a = 0; a < agents; a++) {
      fleet.hello(AgentHello.fromJson(new JsonObject(hello("fleet-" + a).toJson().encode())), now);
    }
    for (int round = 0; round < rounds; round++) {
      now = now.plusSeconds(3);
      for (int a = 0; a < agents; a++) {
        String id = "fleet-" + a;
        List<Report> results = new ArrayList<>(checks);
        for (int c = 0; c < checks; c++) {
          boolean down = c == a % checks && round % 7 == 3;   // now and then one check fails, as FleetAgent's do
          results.add(new ProbeResult(id, ++seqs[a], "check-" + c, now, down ? Outcome.DOWN : Outcome.UP,
            Duration.ofMillis(2), down ? "simulated failure" : "ok"));
        }
        fleet.reports(ReportBatch.fromJson(new JsonObject(new ReportBatch(id, now, results).toJson().encode())), now);
      }
      fleet.tick(now);
    }
    long used = usedAfterGc() - before;
    System.out.printf("pid %d: %d agents x %d checks, %d rounds: %,d bytes retained, %,d per agent, %,d per check%n",
      ProcessHandle.current().pid(), agents, checks, rounds, used, used / agents, used / ((long) agents * checks));
    if (hold) {
      System.out.println("holding; jcmd " + ProcessHandle.current().pid() + " GC.class_histogram, then kill it");
      Thread.sleep(Long.MAX_VALUE);
    }
    System.out.println(fleet.counts());
    return 0;
  }

  private AgentHello hello(String agentId) {
    List<CheckSpec> specs = new ArrayList<>();
    for (int c = 0; c < checks; c++) {
      specs.add(new CheckSpec("check-" + c, CheckType.HTTP, "svc", "simulated", SimulatedAgent.policy(),
        Map.of("role", "r" + Math.floorMod(agentId.hashCode(), 10))));
    }
    return new AgentHello(agentId, agentId, "bench", specs, List.of(new ServiceInfo("svc", true, 1L, T0, null)));
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
