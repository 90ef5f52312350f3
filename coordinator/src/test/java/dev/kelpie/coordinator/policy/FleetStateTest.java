package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
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

/** The coordinator's rules over many checks, without sockets: reports in, commands out. */
class FleetStateTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(42, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), Duration.ofSeconds(90), FleetMetrics.NONE);
  private final Collected seen = new Collected();
  private long seq;

  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO, d.budget(),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  private void hello() {
    seen.take(fleet.hello(new AgentHello("a", "host", "1", List.of(
      new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy()),
      new CheckSpec("tcp", CheckType.TCP, "svc", "tcp", policy())), List.of()), T0));
  }

  private ProbeResult result(String check, boolean up, int second) {
    Instant at = T0.plusSeconds(second);
    return (up ? ProbeResult.up("a", check, at, Duration.ZERO, "") : ProbeResult.down("a", check, at, Duration.ZERO, ""))
      .withSeq(++seq);
  }

  private Outcome<ReportAck> send(int second, Report... reports) {
    return seen.take(fleet.reports(new ReportBatch("a", T0.plusSeconds(second), List.of(reports)),
      T0.plusSeconds(second)));
  }

  private List<Command> tick(Instant now) {
    return seen.take(fleet.tick(now)).commands();
  }

  private String state(String check) {
    return fleet.snapshot(T0, null, true).getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> check.equals(c.getString("checkId"))).findFirst().orElseThrow().getString("state");
  }

  @Test
  @DisplayName("reports without a hello are refused")
  void helloFirst() {
    assertThatThrownBy(() -> send(0, result("http", true, 0))).isInstanceOf(IllegalStateException.class)
      .hasMessageContaining("must send its hello");
  }

  @Test
  @DisplayName("a hello journals each check with its spec; a failure after it journals the check's memory alone, "
    + "and facts added together keep the spec")
  void specJournaledWhenAnnounced() {
    Outcome<HelloReply> hello = fleet.hello(new AgentHello("a", "host", "1", List.of(
      new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy()),
      new CheckSpec("tcp", CheckType.TCP, "svc", "tcp", policy())), List.of()), T0);
    Facts announced = hello.facts();
    Outcome<ReportAck> failed = send(0, result("http", false, 0));

    assertThat(announced.checks.values()).extracting(check -> check.spec().getString("id"))
      .containsExactlyInAnyOrder("http", "tcp");
    Facts.CheckRecord moved = failed.facts().checks.get("a/http");
    assertThat(moved.spec()).as("the spec, as announced, is not written again").isNull();
    assertThat(moved.memory().getInteger("consecutiveFailures")).isEqualTo(1);
    Facts together = new Facts();
    together.addAll(announced);
    together.addAll(failed.facts());
    assertThat(together.checks.get("a/http").spec()).isEqualTo(announced.checks.get("a/http").spec());
    assertThat(together.checks.get("a/http").memory()).isEqualTo(moved.memory());
  }

  @Test
  @DisplayName("a replayed report is dropped, and the acknowledgement covers the highest sequence taken")
  void replay() {
    hello();
    ProbeResult first = result("http", false, 0);
    assertThat(send(0, first).reply().ackSeq()).isEqualTo(1);
    assertThat(send(1, first, result("http", true, 1)).reply().ackSeq()).isEqualTo(2);
    JsonObject agent = fleet.snapshot(T0, null, true).getJsonArray("agents").getJsonObject(0);
    assertThat(agent.getLong("duplicatesDropped")).isEqualTo(1);
    assertThat(state("http")).isEqualTo("healthy");
  }

  @Test
  @DisplayName("two checks of one service crossing together lead to one restart, which both wait on")
  void oneCommandPerService() {
    hello();
    List<Command> commands = new ArrayList<>();
    commands.addAll(send(0, result("http", false, 0), result("tcp", false, 0)).commands());
    commands.addAll(send(1, result("http", false, 1), result("tcp", false, 1)).commands());
    assertThat(commands).hasSize(1);
    assertThat(commands.get(0).action()).isEqualTo(Action.RESTART);
    assertThat(commands.get(0).epoch()).isEqualTo(42);
    assertThat(state("http")).isEqualTo("acting");

    send(2, result("http", false, 2), result("tcp", false, 2));
    assertThat(state("tcp")).as("results are not judged while the command runs").isIn("acting", "failing");

    CommandResult done = CommandResult.of(commands.get(0), CommandStatus.DONE, "ok", T0.plusSeconds(3),
      Duration.ofSeconds(1), 7L).withSeq(++seq);
    send(3, done);
    assertThat(state("http")).isEqualTo("starting");
  }

  @Test
  @DisplayName("a disconnected agent's checks are not acted on, and its reports are refused until it says hello")
  void disconnected() {
    hello();
    send(0, result("http", false, 0));
    seen.take(fleet.disconnected("a"));
    assertThat(state("http")).isEqualTo("agent_lost");
    assertThat(tick(T0.plusSeconds(100))).isEmpty();
    assertThatThrownBy(() -> send(1, result("http", false, 1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("results much older than the batch that carries them never trigger a restart on their own")
  void staleReplay() {
    hello();
    ProbeResult old1 = result("http", false, 0);
    ProbeResult old2 = result("http", false, 3);
    assertThat(seen.take(fleet.reports(new ReportBatch("a", T0.plusSeconds(120), List.of(old1, old2)),
      T0.plusSeconds(120))).commands()).isEmpty();
    assertThat(send(121, result("http", false, 121)).commands()).hasSize(1);
  }

  @Test
  @DisplayName("a command never answered is given up on, and the policy may decide again")
  void unanswered() {
    hello();
    send(0, result("http", false, 0));
    assertThat(send(1, result("http", false, 1)).commands()).hasSize(1);
    tick(T0.plusSeconds(62));
    assertThat(state("http")).isEqualTo("failing");
    assertThat(send(63, result("http", false, 63)).commands()).hasSize(1);
  }

  @Test
  @DisplayName("an agent silent past lostAfter is lost, once, is not acted on, and is back when heard from")
  void lostAndBack() {
    hello();
    send(0, result("http", false, 0));
    seen.take(fleet.keepalive(new Keepalive("a", T0.plusSeconds(50), 1, 0, 0, 0), T0.plusSeconds(50)));
    assertThat(tick(T0.plusSeconds(100))).isEmpty();
    assertThat(seen.drainEvents()).isEmpty();

    tick(T0.plusSeconds(141));
    tick(T0.plusSeconds(200));
    assertThat(seen.drainEvents()).extracting(FleetEvent::type).containsExactly(FleetEvent.Type.AGENT_LOST);
    assertThat(state("http")).isEqualTo("agent_lost");

    assertThat(send(201, result("http", false, 201)).commands()).as("heard from again, it is back and acted on").hasSize(1);
    assertThat(seen.drainEvents()).extracting(FleetEvent::type).containsExactly(FleetEvent.Type.AGENT_BACK);
  }

  @Test
  @DisplayName("vitals riding a report batch are taken as a keepalive's: the dashboard shows them")
  void vitalsInABatch() {
    hello();
    seen.take(fleet.reports(new ReportBatch("a", T0.plusSeconds(5), List.of(result("http", true, 5)),
      new Keepalive("a", T0.plusSeconds(5), 123_456, 0.5, 7, 3)), T0.plusSeconds(5)));

    JsonObject vitals = fleet.snapshot(T0.plusSeconds(5), null, true).getJsonArray("agents").getJsonObject(0)
      .getJsonObject("vitals");
    assertThat(vitals.getLong("rssBytes")).isEqualTo(123_456);
    assertThat(vitals.getLong("eventLoopLagMs")).isEqualTo(7);
    assertThat(vitals.getString("time")).isEqualTo(T0.plusSeconds(5).toString());
  }

  @Test
  @DisplayName("a failure probed before the service's current process started does not restart the new one")
  void lateResultAboutAnEarlierProcess() {
    hello();
    ProbeResult before = result("http", false, 10);
    ProcessEvent started = ProcessEvent.of("a", "svc", T0.plusSeconds(11), ProcessEventType.STARTED, 42, null, "")
      .withSeq(++seq);
    send(12, started);
    assertThat(send(12, before.withSeq(++seq), result("http", false, 9).withSeq(++seq)).commands()).isEmpty();
    assertThat(send(13, result("http", false, 13), result("http", false, 13)).commands()).hasSize(1);
  }
}
