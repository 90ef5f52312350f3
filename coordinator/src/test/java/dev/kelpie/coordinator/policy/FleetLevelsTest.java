package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gauges are running totals, counted again only for the agents that changed: after every kind of input, between
 * ticks as well as after them, they equal a full count of the fleet as its snapshot shows it.
 */
class FleetLevelsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration LOST_AFTER = Duration.ofSeconds(90);
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), LOST_AFTER, FleetMetrics.NONE);
  private final Map<String, Long> seqs = new HashMap<>();
  private Instant now = T0;

  /** Two failures cross; a budget of 1 per hour (the second crossing gives up); no backoff. */
  private static CheckSpec check(String id, String service) {
    PolicySpec d = PolicySpec.defaults();
    PolicySpec policy = new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(1, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
    return new CheckSpec(id, CheckType.HTTP, service, "GET /" + id, policy);
  }

  private void hello(String agentId, CheckSpec... checks) {
    fleet.hello(new AgentHello(agentId, agentId + ".host", "1", List.of(checks), List.of()), now);
  }

  private List<Command> send(String agentId, Report... reports) {
    List<Report> numbered = Arrays.stream(reports)
      .map(report -> report.withSeq(seqs.merge(agentId, 1L, Long::sum))).toList();
    return fleet.reports(new ReportBatch(agentId, now, numbered), now).commands();
  }

  private List<Command> result(String agentId, String checkId, boolean up) {
    return send(agentId, up ? ProbeResult.up(agentId, checkId, now, Duration.ZERO, "ok")
      : ProbeResult.down(agentId, checkId, now, Duration.ZERO, "refused"));
  }

  private void operate(String json) {
    fleet.operate(OperatorRequest.fromJson(new JsonObject(json)), now);
  }

  private void later(Duration by) {
    now = now.plus(by);
  }

  /** The gauges counted the old way: every agent and check of the snapshot, only the names above zero. */
  private Map<String, Integer> fullCount() {
    JsonObject snapshot = fleet.snapshot(now, null, false);
    Map<String, Integer> counts = new HashMap<>();
    snapshot.getJsonArray("agents").forEach(item -> {
      JsonObject agent = (JsonObject) item;
      counts.merge(agent.getBoolean("connected") ? "agents_connected" : "agents_disconnected", 1, Integer::sum);
      if (agent.getBoolean("lost")) {
        counts.merge("agents_lost", 1, Integer::sum);
      }
    });
    snapshot.getJsonArray("checks").forEach(item -> {
      JsonObject check = (JsonObject) item;
      counts.merge("state." + check.getString("state"), 1, Integer::sum);
      if (check.getString("incidentId") != null) {
        counts.merge("incidents_open", 1, Integer::sum);
      }
    });
    counts.put("commands_in_flight", snapshot.getInteger("commandsInFlight"));
    return counts;
  }

  private void gaugesRight(String after) {
    assertThat(fleet.counts()).as("the gauges after " + after).isEqualTo(fullCount());
  }

  private void tickGaugesRight(String after) {
    fleet.tick(now);
    gaugesRight(after + ", then a tick");
  }

  @Test
  @DisplayName("the gauges equal a full count after hellos, results, a crossing and its restart, a give-up, a reset,"
    + " a silence, a disconnection, a loss, a return, a hello dropping a check with its incident and a hand-over,"
    + " read between ticks and after them")
  void gaugesFollowTheFleet() {
    gaugesRight("nothing");
    hello("a", check("web", "nginx"), check("db", "postgres"), check("disk", null));
    hello("b", check("web", "nginx"));
    hello("c", check("web", "nginx"), check("api", "api"));
    gaugesRight("three hellos");
    tickGaugesRight("three hellos");

    later(Duration.ofSeconds(1));
    result("a", "web", true);
    result("a", "db", true);
    result("b", "web", true);
    result("c", "api", true);
    gaugesRight("healthy results");
    tickGaugesRight("healthy results");

    later(Duration.ofSeconds(1));
    result("a", "db", false);
    gaugesRight("a failure below the threshold");
    later(Duration.ofSeconds(1));
    List<Command> restart = result("a", "db", false);
    assertThat(restart).as("the crossing orders a restart").hasSize(1);
    gaugesRight("a crossing: acting, an incident open, a command in flight");
    tickGaugesRight("a crossing");

    later(Duration.ofSeconds(1));
    send("a", CommandResult.of(restart.get(0), CommandStatus.DONE, "restarted", now, Duration.ofSeconds(1), 3L));
    gaugesRight("the restart's answer");
    result("a", "db", false);
    result("a", "db", false);
    gaugesRight("a second crossing with the budget spent: gave up");
    tickGaugesRight("a give-up");

    later(Duration.ofSeconds(1));
    operate("{\"action\":\"reset\",\"agentId\":\"a\",\"checkId\":\"db\",\"by\":\"carol\"}");
    gaugesRight("a reset");
    operate("{\"action\":\"silence\",\"agentId\":\"b\",\"duration\":\"1m\",\"by\":\"dave\"}");
    gaugesRight("a silence");
    tickGaugesRight("a reset and a silence");

    result("c", "web", false);
    result("c", "web", false);
    fleet.disconnected("c");
    gaugesRight("a disconnection with an incident open");
    tickGaugesRight("a disconnection");

    later(LOST_AFTER.plusSeconds(1));
    result("a", "web", true);
    gaugesRight("time past lostAfter, before the tick calls anyone lost");
    tickGaugesRight("agents called lost");
    assertThat(fleet.counts()).containsKey("agents_lost").containsKey("state.agent_lost");

    later(Duration.ofSeconds(1));
    hello("b", check("web", "nginx"));
    gaugesRight("a lost agent's hello");
    hello("c", check("api", "api"));
    gaugesRight("a hello dropping the check whose incident was open");
    tickGaugesRight("two hellos");

    fleet.handedOver("a");
    gaugesRight("a hand-over to another coordinator");
    tickGaugesRight("a hand-over");

    later(Duration.ofSeconds(1));
    result("c", "api", false);
    result("c", "api", false);
    gaugesRight("a crossing after the hand-over");
    tickGaugesRight("the last crossing");
  }
}
