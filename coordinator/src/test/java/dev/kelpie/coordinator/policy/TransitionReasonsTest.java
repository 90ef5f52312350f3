package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Every transition the journal writes says why, in words a person reads on the check page and the timeline. */
class TransitionReasonsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(42, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), Duration.ofSeconds(90), FleetMetrics.NONE);
  private final Collected seen = new Collected();
  private final List<Facts.Transition> transitions = new ArrayList<>();
  private long seq;
  private long pid = 100;

  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 3, null, 1, Duration.ofSeconds(2), false, Duration.ZERO,
      d.budget(), new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  @BeforeEach
  void hello() {
    seen.take(fleet.hello(new AgentHello("a", "host-a", "1", List.of(
      new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy())),
      List.of(new ServiceInfo("svc", true, pid, T0, null))), T0));
    send(1, probe(true, 1, "HTTP 200"));
    transitions.clear();
  }

  private ProbeResult probe(boolean up, int second, String detail) {
    Instant at = T0.plusSeconds(second);
    return (up ? ProbeResult.up("a", "http", at, Duration.ZERO, detail)
      : ProbeResult.down("a", "http", at, Duration.ZERO, detail)).withSeq(++seq);
  }

  private ProcessEvent started(int second, String commandId) {
    return ProcessEvent.of("a", "svc", T0.plusSeconds(second), ProcessEventType.STARTED, ++pid, commandId, null)
      .withSeq(++seq);
  }

  private List<Command> send(int second, Report... reports) {
    Outcome<?> outcome = seen.take(fleet.reports(new ReportBatch("a", T0.plusSeconds(second), List.of(reports)),
      T0.plusSeconds(second)));
    transitions.addAll(seen.drainFacts().transitions);
    return outcome.commands();
  }

  private void answer(Command command, int second) {
    send(second, CommandResult.of(command, CommandStatus.DONE, "pid changed", T0.plusSeconds(second),
      Duration.ofMillis(300), pid + 1).withSeq(++seq));
  }

  private List<String> reasons() {
    return transitions.stream().map(t -> t.from() + " -> " + t.to() + ": " + t.reason()).toList();
  }

  @Test
  @DisplayName("a hang reads as the probe's words, then the threshold with them, then Kelpie's restart and recovery")
  void aHangToldFromFirstFailureToRecovery() {
    send(2, probe(false, 2, "no answer within 3 s"));
    send(3, probe(false, 3, "no answer within 3 s"));
    List<Command> restart = send(4, probe(false, 4, "no answer within 3 s"));
    assertThat(restart).hasSize(1);
    answer(restart.get(0), 5);
    send(5, started(5, restart.get(0).id()));
    send(8, probe(true, 8, "HTTP 200"));

    assertThat(reasons()).containsExactly(
      "healthy -> failing: no answer within 3 s",
      "failing -> acting: 3 failures in a row (threshold 3): no answer within 3 s",
      "acting -> starting: restarted by Kelpie for http: 3 failures in a row (threshold 3); grace 2s",
      "starting -> healthy: answered: HTTP 200");
  }

  @Test
  @DisplayName("a restart by a person names the operator and the reason given")
  void anOperatorsRestart() {
    Outcome<JsonObject> asked = seen.take(fleet.operate(OperatorRequest.fromJson(new JsonObject(
      "{\"action\":\"restart\",\"agentId\":\"a\",\"service\":\"svc\",\"by\":\"olga\",\"reason\":\"deploy\"}")),
      T0.plusSeconds(2)));
    seen.drainFacts();
    answer(asked.commands().get(0), 3);
    send(3, started(3, asked.commands().get(0).id()));

    assertThat(reasons()).containsExactly("healthy -> starting: restarted by operator olga: deploy; grace 2s");
  }

  @Test
  @DisplayName("a stop and a start by a person name the operator and the reasons given")
  void anOperatorsStopAndStart() {
    Command stop = operate("stop", "maintenance", 2);
    answer(stop, 3);
    Command start = operate("start", "maintenance over", 10);
    answer(start, 11);
    send(11, started(11, start.id()));

    assertThat(reasons()).containsExactly(
      "healthy -> paused: stopped by operator olga: maintenance",
      "paused -> starting: started by operator olga: maintenance over; grace 2s");
  }

  private Command operate(String action, String reason, int second) {
    Outcome<JsonObject> asked = seen.take(fleet.operate(OperatorRequest.fromJson(new JsonObject()
      .put("action", action).put("agentId", "a").put("service", "svc").put("by", "olga").put("reason", reason)),
      T0.plusSeconds(second)));
    transitions.addAll(seen.drainFacts().transitions);
    return asked.commands().get(0);
  }

  @Test
  @DisplayName("a crash nobody ordered names the exit code")
  void aCrash() {
    send(2, ProcessEvent.exited("a", "svc", T0.plusSeconds(2), pid, 3, null, "exited with code 3").withSeq(++seq),
      started(2, null));

    assertThat(reasons()).containsExactly(
      "healthy -> starting: its service exited with code 3 and was started again; grace 2s");
  }
}
