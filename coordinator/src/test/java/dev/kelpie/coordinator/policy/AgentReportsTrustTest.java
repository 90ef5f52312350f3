package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What one agent reports is trusted only as far as it can be: a command result only from the agent the command went
 * to, sequence numbers only a bounded step ahead, times only within a skew window of the coordinator's clock.
 */
class AgentReportsTrustTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(42, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), Duration.ofSeconds(90), FleetMetrics.NONE);
  private final Collected seen = new Collected();
  private long seqA;
  private long seqC;

  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 1, null, 1, Duration.ZERO, false, Duration.ZERO, d.budget(),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  private void hello(String agent) {
    seen.take(fleet.hello(new AgentHello(agent, "host-" + agent, "1", List.of(
      new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy())),
      List.of(new ServiceInfo("svc", true, 10L, T0, null))), T0));
  }

  private Outcome<ReportAck> send(String agent, Instant sentAt, Instant now, Report... reports) {
    return seen.take(fleet.reports(new ReportBatch(agent, sentAt, List.of(reports)), now));
  }

  private ProbeResult down(String agent, long seq, Instant at) {
    return ProbeResult.down(agent, "http", at, Duration.ofMillis(5), "no answer").withSeq(seq);
  }

  private JsonObject agent(String id) {
    return fleet.snapshot(T0, id, true).getJsonArray("agents").getJsonObject(0);
  }

  @Test
  @DisplayName("agent A's forged 'failed' result for a command pending on agent C is ignored: no second restart")
  void forgedResultOfAnotherAgent() {
    hello("a");
    hello("c");
    List<Command> first = send("c", T0, T0, down("c", ++seqC, T0)).commands();
    assertThat(first).hasSize(1);
    Command restart = first.get(0);
    assertThat(restart.agentId()).isEqualTo("c");
    seen.drainFacts();

    CommandResult forged = new CommandResult("a", ++seqA, restart.id(), restart.service(), Action.RESTART,
      CommandStatus.FAILED, "forged by a", T0.plusSeconds(1), Duration.ofMillis(3), null);
    Outcome<ReportAck> outcome = send("a", T0.plusSeconds(1), T0.plusSeconds(1), forged);
    assertThat(outcome.reply().ackSeq()).as("the forged report is taken as a report, and nothing more").isEqualTo(1);
    assertThat(seen.drainFacts().actions).as("no answer recorded for C's command").isEmpty();

    List<Command> after = new ArrayList<>(send("c", T0.plusSeconds(2), T0.plusSeconds(2),
      down("c", ++seqC, T0.plusSeconds(2))).commands());
    for (int s = 3; s < 20; s++) {
      after.addAll(seen.take(fleet.tick(T0.plusSeconds(s))).commands());
    }
    assertThat(after).as("C's restart still runs; none is sent again").isEmpty();

    CommandResult real = CommandResult.of(restart, CommandStatus.DONE, "restarted", T0.plusSeconds(20),
      Duration.ofSeconds(1), 11L).withSeq(++seqC);
    send("c", T0.plusSeconds(20), T0.plusSeconds(20), real);
    assertThat(seen.drainFacts().actions.get(restart.id()).status()).as("C's own answer is taken").isEqualTo("done");
  }

  @Test
  @DisplayName("a sequence number far past the last one taken (2^63-1) is refused, and the agent goes on from where it was")
  void sequenceJump() {
    hello("a");
    send("a", T0, T0, down("a", ++seqA, T0));
    assertThatThrownBy(() -> send("a", T0, T0, down("a", Long.MAX_VALUE, T0)))
      .isInstanceOf(ReportsRefused.class).hasMessageContaining("reports[0].seq");
    assertThatThrownBy(() -> send("a", T0, T0, down("a", seqA + 2_000_000, T0)))
      .isInstanceOf(ReportsRefused.class).hasMessageContaining("jumps 2000000 past the last report taken (1)");
    assertThat(agent("a").getLong("lastSeq")).isEqualTo(1);
    assertThat(send("a", T0, T0, down("a", ++seqA, T0)).reply().ackSeq()).isEqualTo(2);
  }

  @Test
  @DisplayName("an agent away for a long time may skip more than an outbox of reports it dropped")
  void longAbsence() {
    hello("a");
    send("a", T0, T0, down("a", ++seqA, T0));
    Instant dayLater = T0.plus(Duration.ofDays(1));
    assertThat(send("a", dayLater, dayLater, down("a", 5_000_000, dayLater)).reply().ackSeq()).isEqualTo(5_000_000);
  }

  @Test
  @DisplayName("a result from an agent whose clock is an hour off is kept at the coordinator's receipt time")
  void skewedClock() {
    hello("a");
    Instant agentClock = T0.plus(Duration.ofHours(1));
    send("a", agentClock, T0, down("a", ++seqA, agentClock.minusSeconds(2)));
    JsonObject check = fleet.snapshot(T0, "a", true).getJsonArray("checks").getJsonObject(0);
    assertThat(check.getJsonObject("lastResult").getString("time")).isEqualTo(T0.minusSeconds(2).toString());
  }
}
