package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tick goes over only the agents whose next moment came or that changed: what time alone changes (a silence
 * ends, a budget's window slides, an agent falls silent, a backoff runs out) still shows on time for an agent that
 * sends nothing more, and a quiet fleet costs the tick nothing.
 */
class TickWorkTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration LOST_AFTER = Duration.ofSeconds(90);
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(42, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), LOST_AFTER, FleetMetrics.NONE);
  private final Collected seen = new Collected();
  private final Map<String, Long> seqs = new HashMap<>();

  /** Two failures cross; a budget of 3 per minute; the first restart at once, the next 20 s after the one before. */
  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(3, Duration.ofMinutes(1)),
      new PolicySpec.Backoff(Duration.ofSeconds(20), 1.0, Duration.ofSeconds(20), d.backoff().resetAfter()), true);
  }

  private void hello(String agentId, CheckSpec... checks) {
    seen.take(fleet.hello(new AgentHello(agentId, agentId + ".host", "1", List.of(checks), List.of()), T0));
  }

  private void hello(String agentId) {
    hello(agentId, new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy()));
  }

  private Outcome<?> send(String agentId, Instant at, Report... reports) {
    List<Report> numbered = java.util.Arrays.stream(reports)
      .map(report -> report.withSeq(seqs.merge(agentId, 1L, Long::sum))).toList();
    return seen.take(fleet.reports(new ReportBatch(agentId, at, numbered), at));
  }

  private Outcome<?> result(String agentId, String check, boolean up, Instant at) {
    return send(agentId, at, up ? ProbeResult.up(agentId, check, at, Duration.ZERO, "ok")
      : ProbeResult.down(agentId, check, at, Duration.ZERO, "refused"));
  }

  private Outcome<Void> tick(Instant now) {
    return seen.take(fleet.tick(now));
  }

  private static JsonObject shown(JsonObject changes, String kind, String agentId, String checkId) {
    if (changes == null) {
      return null;
    }
    JsonArray items = changes.getJsonArray(kind);
    return items.stream().map(JsonObject.class::cast)
      .filter(item -> agentId.equals(item.getString("agentId")))
      .filter(item -> checkId == null || checkId.equals(item.getString("checkId")))
      .findFirst().orElse(null);
  }

  @Test
  @DisplayName("an agent that sends nothing more after a silence is set sees the silence end on the dashboard within"
    + " one tick")
  void silenceEnds() {
    hello("a");
    result("a", "http", true, T0);
    tick(T0);
    seen.take(fleet.operate(OperatorRequest.fromJson(new JsonObject("{\"action\":\"silence\",\"agentId\":\"a\","
      + "\"duration\":\"1m\",\"by\":\"dave\"}")), T0.plusSeconds(1)));
    JsonObject silenced = tick(T0.plusSeconds(1)).changes();
    assertThat(shown(silenced, "agents", "a", null).getString("shown")).isEqualTo("silenced");
    assertThat(shown(silenced, "checks", "a", "http").getString("shown")).isEqualTo("silenced");

    assertThat(tick(T0.plusSeconds(60).plusMillis(750)).changes()).as("still silenced").isNull();
    JsonObject ended = tick(T0.plusSeconds(61)).changes();
    assertThat(shown(ended, "agents", "a", null).getString("shown")).isEqualTo("connected");
    assertThat(shown(ended, "checks", "a", "http").getString("shown")).isEqualTo("healthy");
  }

  @Test
  @DisplayName("a restart leaving the budget's window shows one fewer used, though the agent sends nothing more")
  void budgetSlides() {
    hello("a");
    result("a", "http", false, T0.plusSeconds(1));
    List<Command> restart = result("a", "http", false, T0.plusSeconds(2)).commands();
    assertThat(restart).hasSize(1);
    send("a", T0.plusSeconds(3), CommandResult.of(restart.get(0), CommandStatus.DONE, "ok", T0.plusSeconds(3),
      Duration.ofSeconds(1), 7L));
    result("a", "http", true, T0.plusSeconds(3));
    JsonObject used = shown(tick(T0.plusSeconds(3)).changes(), "checks", "a", "http");
    assertThat(used.getInteger("restartsUsed")).isEqualTo(1);

    assertThat(tick(T0.plusSeconds(61).plusMillis(750)).changes()).as("still inside the window").isNull();
    JsonObject fallen = shown(tick(T0.plusSeconds(62)).changes(), "checks", "a", "http");
    assertThat(fallen).isNotNull();
    assertThat(fallen.getInteger("restartsUsed")).isZero();
  }

  @Test
  @DisplayName("an agent that goes silent is called lost on the first tick past lostAfter, and shown so")
  void lostOnTime() {
    hello("a");
    result("a", "http", true, T0);
    tick(T0);
    seen.drainEvents();
    assertThat(tick(T0.plus(LOST_AFTER)).changes()).isNull();
    assertThat(seen.drainEvents()).isEmpty();

    JsonObject lost = tick(T0.plus(LOST_AFTER).plusMillis(250)).changes();
    assertThat(seen.drainEvents()).extracting(FleetEvent::type).containsExactly(FleetEvent.Type.AGENT_LOST);
    assertThat(shown(lost, "agents", "a", null).getBoolean("lost")).isTrue();
    assertThat(shown(lost, "checks", "a", "http").getString("shown")).isEqualTo("agent_lost");
  }

  @Test
  @DisplayName("a backoff delay running out restarts the service of an agent that sends nothing more, on time")
  void backoffRunsOut() {
    hello("a");
    result("a", "http", false, T0.plusSeconds(1));
    List<Command> first = result("a", "http", false, T0.plusSeconds(2)).commands();
    send("a", T0.plusSeconds(3), CommandResult.of(first.get(0), CommandStatus.DONE, "ok", T0.plusSeconds(3),
      Duration.ofSeconds(1), 7L));
    result("a", "http", false, T0.plusSeconds(4));
    result("a", "http", false, T0.plusSeconds(5));
    JsonObject backingOff = shown(tick(T0.plusSeconds(5)).changes(), "checks", "a", "http");
    assertThat(backingOff.getString("phase")).isEqualTo("backing_off");
    assertThat(backingOff.getString("restartNotBefore")).isEqualTo(T0.plusSeconds(22).toString());

    assertThat(tick(T0.plusSeconds(21).plusMillis(750)).commands()).isEmpty();
    Outcome<Void> due = tick(T0.plusSeconds(22));
    assertThat(due.commands()).extracting(Command::service).containsExactly("svc");
    assertThat(shown(due.changes(), "checks", "a", "http").getString("phase")).isEqualTo("acting");
  }

  @Test
  @DisplayName("a check depending on another agent's check shows its hold when that check fails, though its own agent"
    + " sends nothing more")
  void dependencyElsewhere() {
    hello("app", new CheckSpec("web", CheckType.HTTP, "web", "GET /", policy(), Map.of(),
      new CheckRules(List.of("db/sql"), false, false)));
    hello("db", new CheckSpec("sql", CheckType.TCP, "pg", "tcp pg:5432", policy()));
    result("db", "sql", true, T0);
    result("app", "web", false, T0);
    JsonObject before = shown(tick(T0).changes(), "checks", "app", "web");
    assertThat(before.getString("hold")).isNull();

    result("db", "sql", false, T0.plusSeconds(1));
    JsonObject blocked = shown(tick(T0.plusSeconds(1)).changes(), "checks", "app", "web");
    assertThat(blocked).as("app's check is shown again").isNotNull();
    assertThat(blocked.getString("hold")).isEqualTo("blocked by db/sql");
  }

  @Test
  @DisplayName("with 5,000 quiet agents and nothing due, a tick goes over no agent and compares none")
  void quietFleetCostsNothing() {
    for (int i = 0; i < 5000; i++) {
      hello("agent-" + i);
      result("agent-" + i, "http", true, T0);
    }
    tick(T0);
    assertThat(fleet.lastTickWork()).as("the first tick settles every agent that said hello").containsExactly(5000,
      5000);
    for (int i = 1; i <= 40; i++) {
      assertThat(tick(T0.plusMillis(250L * i)).changes()).isNull();
      assertThat(fleet.lastTickWork()).containsExactly(0, 0);
    }
    result("agent-7", "http", false, T0.plusSeconds(11));
    assertThat(shown(tick(T0.plusSeconds(11)).changes(), "checks", "agent-7", "http")).isNotNull();
    assertThat(fleet.lastTickWork()).as("only the agent that reported").containsExactly(0, 1);
  }

  @Test
  @DisplayName("an agent whose results change nothing a person sees is not compared; one whose result turns is")
  void quietResultsAreNotCompared() {
    hello("a");
    result("a", "http", true, T0);
    tick(T0);
    for (int i = 1; i <= 8; i++) {
      result("a", "http", true, T0.plusSeconds(i));
      assertThat(tick(T0.plusSeconds(i)).changes()).isNull();
      assertThat(fleet.lastTickWork()).as("healthy again and again: nothing to compare").containsExactly(0, 0);
    }
    result("a", "http", false, T0.plusSeconds(9));
    JsonObject failing = shown(tick(T0.plusSeconds(9)).changes(), "checks", "a", "http");
    assertThat(fleet.lastTickWork()).containsExactly(0, 1);
    assertThat(failing.getInteger("consecutiveFailures")).isEqualTo(1);
  }

  @Test
  @DisplayName("a restart leaving the budget's window shows one fewer used on time while the agent goes on reporting"
    + " healthy results")
  void budgetSlidesWhileReporting() {
    hello("a");
    result("a", "http", false, T0.plusSeconds(1));
    List<Command> restart = result("a", "http", false, T0.plusSeconds(2)).commands();
    send("a", T0.plusSeconds(3), CommandResult.of(restart.get(0), CommandStatus.DONE, "ok", T0.plusSeconds(3),
      Duration.ofSeconds(1), 7L));
    result("a", "http", true, T0.plusSeconds(3));
    assertThat(shown(tick(T0.plusSeconds(3)).changes(), "checks", "a", "http").getInteger("restartsUsed")).isEqualTo(1);

    for (int s = 10; s <= 60; s += 10) {
      result("a", "http", true, T0.plusSeconds(s));
      assertThat(tick(T0.plusSeconds(s)).changes()).as("nothing shown changed at %d s", s).isNull();
    }
    result("a", "http", true, T0.plusSeconds(61).plusMillis(900));
    assertThat(tick(T0.plusSeconds(61).plusMillis(900)).changes()).as("still inside the window").isNull();
    result("a", "http", true, T0.plusSeconds(62));
    JsonObject fallen = shown(tick(T0.plusSeconds(62)).changes(), "checks", "a", "http");
    assertThat(fallen).isNotNull();
    assertThat(fallen.getInteger("restartsUsed")).isZero();
  }

  @Test
  @DisplayName("a silence ends on the dashboard on time while the agent goes on reporting healthy results")
  void silenceEndsWhileReporting() {
    hello("a");
    result("a", "http", true, T0);
    tick(T0);
    seen.take(fleet.operate(OperatorRequest.fromJson(new JsonObject("{\"action\":\"silence\",\"agentId\":\"a\","
      + "\"checkId\":\"http\",\"duration\":\"1m\",\"by\":\"dave\"}")), T0.plusSeconds(1)));
    assertThat(shown(tick(T0.plusSeconds(1)).changes(), "checks", "a", "http").getString("shown"))
      .isEqualTo("silenced");
    for (int s = 10; s <= 60; s += 10) {
      result("a", "http", true, T0.plusSeconds(s));
      assertThat(tick(T0.plusSeconds(s)).changes()).as("still silenced at %d s", s).isNull();
    }
    result("a", "http", true, T0.plusSeconds(61));
    JsonObject ended = shown(tick(T0.plusSeconds(61)).changes(), "checks", "a", "http");
    assertThat(ended.getString("shown")).isEqualTo("healthy");
  }
}
