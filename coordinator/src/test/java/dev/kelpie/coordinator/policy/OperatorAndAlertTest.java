package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** People's requests (restart, reset, silence) and the alerts the policy raises, without sockets. */
class OperatorAndAlertTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final AtomicInteger ids = new AtomicInteger();
  private FleetState fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), Duration.ofSeconds(90), FleetMetrics.NONE)
    .alerting(Duration.ofMinutes(10), MaintenanceWindows.NONE);
  private final Collected seen = new Collected();
  private long seq;

  /** Threshold 2, budget of one restart, no grace, no backoff. */
  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(1, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  private void hello() {
    seen.take(fleet.hello(new AgentHello("a", "host-a", "1", List.of(
      new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy(), Map.of("team", "pay"))),
      List.of(new ServiceInfo("svc", true, 100L, T0, null))), T0));
    seen.drainFacts();
  }

  private List<Command> result(boolean up, int second) {
    Instant at = T0.plusSeconds(second);
    ProbeResult result = (up ? ProbeResult.up("a", "http", at, Duration.ZERO, "ok")
      : ProbeResult.down("a", "http", at, Duration.ZERO, "refused")).withSeq(++seq);
    return seen.take(fleet.reports(new ReportBatch("a", at, List.of(result)), at)).commands();
  }

  private OperatorRequest request(String json) {
    return OperatorRequest.fromJson(new JsonObject(json));
  }

  private Outcome<JsonObject> operate(OperatorRequest request, Instant now) {
    return seen.take(fleet.operate(request, now));
  }

  private Outcome<Void> tick(Instant now) {
    return seen.take(fleet.tick(now));
  }

  private List<String> alertKinds() {
    return seen.drainFacts().alerts.stream().map(alert -> alert.body().getString("kind")).toList();
  }

  @Test
  @DisplayName("an operator's restart is a command recorded with who asked; a second one while it runs is refused 409")
  void operatorRestart() {
    hello();
    Outcome<JsonObject> outcome = operate(request(
      "{\"action\":\"restart\",\"agentId\":\"a\",\"service\":\"svc\",\"by\":\"alice\",\"reason\":\"deploy\"}"), T0);
    assertThat(outcome.commands()).singleElement().satisfies(command -> {
      assertThat(command.action()).isEqualTo(Action.RESTART);
      assertThat(command.reason()).isEqualTo("operator alice: deploy");
    });
    assertThat(outcome.reply().getString("commandId")).isEqualTo(outcome.commands().get(0).id());
    Facts facts = seen.drainFacts();
    assertThat(facts.actions.values()).singleElement().satisfies(a -> assertThat(a.issuedBy()).isEqualTo("alice"));

    assertThatThrownBy(() -> operate(request(
      "{\"action\":\"stop\",\"agentId\":\"a\",\"service\":\"svc\",\"by\":\"bob\"}"), T0))
      .isInstanceOfSatisfying(OperatorRequest.Refused.class, r -> assertThat(r.code()).isEqualTo(409))
      .hasMessageContaining("already running on svc");
  }

  @Test
  @DisplayName("bad requests name the problem: unknown action 400, missing field 400, unknown agent/service/check 404")
  void refusals() {
    hello();
    assertThatThrownBy(() -> request("{\"action\":\"explode\",\"agentId\":\"a\",\"by\":\"x\"}"))
      .hasMessageContaining("action 'explode' is unknown");
    assertThatThrownBy(() -> request("{\"action\":\"silence\",\"agentId\":\"a\",\"by\":\"x\"}"))
      .hasMessageContaining("'duration' is missing");
    assertThatThrownBy(() -> request("{\"action\":\"silence\",\"agentId\":\"a\",\"by\":\"x\",\"duration\":\"5y\"}"))
      .hasMessageContaining("duration '5y'");
    assertThatThrownBy(() -> operate(request("{\"action\":\"restart\",\"agentId\":\"zz\",\"service\":\"s\","
      + "\"by\":\"x\"}"), T0)).isInstanceOfSatisfying(OperatorRequest.Refused.class,
      r -> assertThat(r.code()).isEqualTo(404)).hasMessageContaining("no agent 'zz'");
    assertThatThrownBy(() -> operate(request("{\"action\":\"restart\",\"agentId\":\"a\",\"service\":\"nope\","
      + "\"by\":\"x\"}"), T0)).hasMessageContaining("supervises no service 'nope'");
    assertThatThrownBy(() -> operate(request("{\"action\":\"reset\",\"agentId\":\"a\",\"checkId\":\"nope\","
      + "\"by\":\"x\"}"), T0)).hasMessageContaining("has no check 'nope'");
  }

  @Test
  @DisplayName("incident opened, action taken, gave up and recovered are each alerted once, with evidence")
  void alertsOfAnIncident() {
    hello();
    result(false, 1);
    assertThat(result(false, 2)).hasSize(1);
    List<Facts.Alert> alerts = seen.drainFacts().alerts;
    assertThat(alerts).extracting(a -> a.body().getString("kind")).containsExactly("incident_opened", "action_taken");
    JsonObject opened = alerts.get(0).body();
    assertThat(opened.getString("host")).isEqualTo("host-a");
    assertThat(opened.getJsonObject("labels").getString("team")).isEqualTo("pay");
    assertThat(opened.getJsonObject("details").getJsonArray("evidence")).hasSize(2);

    assertThatThrownBy(() -> operate(request("{\"action\":\"reset\",\"agentId\":\"a\",\"checkId\":\"http\","
      + "\"by\":\"x\"}"), T0)).isInstanceOfSatisfying(OperatorRequest.Refused.class,
      r -> assertThat(r.code()).isEqualTo(409)).hasMessageContaining("has not given up");
  }

  @Test
  @DisplayName("a check out of budget gives up (critical alert); reset by an operator lets it act again")
  void gaveUpThenReset() {
    hello();
    result(false, 1);
    List<Command> first = result(false, 2);
    seen.take(fleet.reports(new ReportBatch("a", T0.plusSeconds(3), List.of(dev.kelpie.shared.message.CommandResult.of(
      first.get(0), dev.kelpie.shared.message.CommandStatus.DONE, "ok", T0.plusSeconds(3), Duration.ofMillis(5),
      101L).withSeq(++seq))), T0.plusSeconds(3)));
    result(false, 4);
    assertThat(result(false, 5)).as("budget of one restart used").isEmpty();
    assertThat(alertKinds()).contains("gave_up");

    operate(request("{\"action\":\"reset\",\"agentId\":\"a\",\"checkId\":\"http\",\"by\":\"carol\"}"),
      T0.plusSeconds(6));
    result(false, 7);
    assertThat(result(false, 8)).as("acts again after the reset").hasSize(1);
  }

  @Test
  @DisplayName("results of a silenced check are kept but not judged: no action, no alert, until the silence ends")
  void silence() {
    hello();
    operate(request("{\"action\":\"silence\",\"agentId\":\"a\",\"checkId\":\"http\",\"duration\":\"1m\","
      + "\"by\":\"dave\"}"), T0);
    seen.drainFacts();
    result(false, 1);
    result(false, 2);
    assertThat(result(false, 3)).isEmpty();
    assertThat(alertKinds()).isEmpty();
    assertThat(fleet.snapshot(T0.plusSeconds(3), null, true).getJsonArray("checks").getJsonObject(0).getString("silencedUntil"))
      .isEqualTo(T0.plusSeconds(60).toString());

    tick(T0.plusSeconds(61));
    result(false, 62);
    assertThat(result(false, 63)).as("judged and acted on once the silence is over").hasSize(1);
    assertThat(alertKinds()).containsExactly("incident_opened", "action_taken");
  }

  @Test
  @DisplayName("a silenced agent raises no 'agent lost'; a maintenance window holds a check's alerts")
  void maintenance() {
    FleetState windowed = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "c",
      Duration.ofSeconds(90), FleetMetrics.NONE).alerting(Duration.ZERO, new MaintenanceWindows(List.of(
        new MaintenanceWindows.Window("patching", T0, T0.plusSeconds(3600), java.util.regex.Pattern.compile("host-.*"),
          Map.of()))));
    Collected windowSeen = new Collected();
    windowSeen.take(windowed.hello(new AgentHello("a", "host-a", "1", List.of(
      new CheckSpec("http", CheckType.HTTP, null, "GET /", policy())), List.of()), T0));
    for (int i = 1; i <= 3; i++) {
      Instant at = T0.plusSeconds(i);
      windowSeen.take(windowed.reports(new ReportBatch("a", at, List.of(ProbeResult.down("a", "http", at,
        Duration.ZERO, "x").withSeq(i))), at));
    }
    assertThat(windowSeen.drainFacts().alerts).isEmpty();
    assertThat(windowSeen.drainFacts().incidents).isEmpty();

    hello();
    operate(request("{\"action\":\"silence\",\"agentId\":\"a\",\"duration\":\"1h\",\"by\":\"dave\"}"), T0);
    seen.drainFacts();
    tick(T0.plusSeconds(200));
    assertThat(seen.drainEvents()).isNotEmpty();
    assertThat(alertKinds()).isEmpty();
  }

  @Test
  @DisplayName("an agent gone silent raises one 'agent lost' (critical); its return raises 'agent back'")
  void agentLostAndBack() {
    hello();
    tick(T0.plusSeconds(91));
    tick(T0.plusSeconds(95));
    List<Facts.Alert> lost = seen.drainFacts().alerts;
    assertThat(lost).extracting(a -> a.body().getString("kind")).containsExactly("agent_lost");
    assertThat(lost.get(0).body().getString("severity")).isEqualTo("critical");
    result(true, 100);
    assertThat(alertKinds()).containsExactly("agent_back");
  }

  @Test
  @DisplayName("an incident still open after the repeat interval is alerted again, once per interval")
  void repeat() {
    fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofHours(1), () -> "cmd-" + ids.incrementAndGet(),
      Duration.ofHours(1), FleetMetrics.NONE).alerting(Duration.ofMinutes(10), MaintenanceWindows.NONE);
    hello();
    result(false, 1);
    result(false, 2);
    seen.drainFacts();
    tick(T0.plusSeconds(300));
    assertThat(alertKinds()).isEmpty();
    tick(T0.plusSeconds(603));
    tick(T0.plusSeconds(604));
    assertThat(alertKinds()).containsExactly("still_open");
  }

  @Test
  @DisplayName("only changed checks and agents are in the live changes")
  void changes() {
    hello();
    assertThat(tick(T0).changes().getJsonArray("checks")).hasSize(1);
    assertThat(tick(T0).changes()).isNull();
    result(true, 1);
    assertThat(tick(T0.plusSeconds(1)).changes().getJsonArray("checks")).hasSize(1);
    result(true, 2);
    assertThat(tick(T0.plusSeconds(2)).changes()).as("same state, same outcome: nothing to show").isNull();
  }
}
