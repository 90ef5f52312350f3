package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One input, one outcome: what each kind of input leads to, all of it in the value returned. */
class OutcomeTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A fleet of one agent "a" with one check "http" on service "svc": threshold 2, no grace, lost after 90 s. */
  private static final class Given {
    private final FleetState fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60),
      counter(), Duration.ofSeconds(90), FleetMetrics.NONE).alerting(Duration.ofMinutes(10), MaintenanceWindows.NONE);
    private long seq;
    private final List<Command> sent = new ArrayList<>();

    private static Supplier<String> counter() {
      AtomicInteger ids = new AtomicInteger();
      return () -> "cmd-" + ids.incrementAndGet();
    }

    Outcome<HelloReply> hello() {
      PolicySpec d = PolicySpec.defaults();
      PolicySpec policy = new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
        d.budget(), new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
      return fleet.hello(new AgentHello("a", "host-a", "1", List.of(
        new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy)),
        List.of(new ServiceInfo("svc", true, 100L, T0, null))), T0);
    }

    Outcome<?> result(boolean up, int second) {
      Instant at = T0.plusSeconds(second);
      ProbeResult result = (up ? ProbeResult.up("a", "http", at, Duration.ZERO, "ok")
        : ProbeResult.down("a", "http", at, Duration.ZERO, "refused")).withSeq(++seq);
      Outcome<?> outcome = fleet.reports(new ReportBatch("a", at, List.of(result)), at);
      sent.addAll(outcome.commands());
      return outcome;
    }

    Outcome<?> operate(String json) {
      return fleet.operate(OperatorRequest.fromJson(new JsonObject(json)), T0);
    }
  }

  /** One row: the input (after what comes before it), and what its outcome must carry. */
  record Case(String name, Function<Given, Outcome<?>> input, List<String> commands, List<String> decisions,
              List<String> alerts, List<String> events, List<String> stored, boolean changes) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
      new Case("a hello stores the agent as announced and its checks, nothing else",
        Given::hello, List.of(), List.of(), List.of(), List.of(), List.of("checks", "agents"), false),
      new Case("a healthy result after a healthy one stores the result and the agent's sequence only",
        g -> {
          g.hello();
          g.result(true, 1);
          return g.result(true, 2);
        }, List.of(), List.of(), List.of(), List.of(), List.of("results", "agents"), false),
      new Case("a second failure in a row restarts the service: a command, a decision, an incident, two alerts",
        g -> {
          g.hello();
          g.result(false, 1);
          return g.result(false, 2);
        }, List.of("RESTART"), List.of("RESTART"), List.of("incident_opened", "action_taken"), List.of(),
        List.of("results", "transitions", "incidents", "actions", "checks", "agents", "alerts"), false),
      new Case("a command that could not be delivered lets its check go back to failing",
        g -> {
          g.hello();
          g.result(false, 1);
          g.result(false, 2);
          return g.fleet.undelivered(g.sent.get(0), T0.plusSeconds(3), "no handler");
        }, List.of(), List.of(), List.of(), List.of(), List.of("transitions", "checks"), false),
      new Case("an operator's restart is a command recorded with who asked",
        g -> {
          g.hello();
          return g.operate("{\"action\":\"restart\",\"agentId\":\"a\",\"service\":\"svc\",\"by\":\"alice\"}");
        }, List.of("RESTART"), List.of(), List.of(), List.of(), List.of("actions"), false),
      new Case("a silence is stored with the person's action, and sends nothing",
        g -> {
          g.hello();
          return g.operate("{\"action\":\"silence\",\"agentId\":\"a\",\"duration\":\"1h\",\"by\":\"dave\"}");
        }, List.of(), List.of(), List.of(), List.of(), List.of("actions", "silences"), false),
      new Case("a tick past lostAfter loses the agent: an event, an alert, and the dashboard's changes",
        g -> {
          g.hello();
          return g.fleet.tick(T0.plusSeconds(91));
        }, List.of(), List.of(), List.of("agent_lost"), List.of("AGENT_LOST"), List.of("alerts"), true),
      new Case("a keepalive from a lost agent brings it back",
        g -> {
          g.hello();
          g.fleet.tick(T0.plusSeconds(91));
          return g.fleet.keepalive(new Keepalive("a", T0.plusSeconds(95), 1, 0, 0, 0), T0.plusSeconds(95));
        }, List.of(), List.of(), List.of("agent_back"), List.of("AGENT_BACK"), List.of("alerts"), false),
      new Case("a disconnection leads to nothing to send or store",
        g -> {
          g.hello();
          return g.fleet.disconnected("a");
        }, List.of(), List.of(), List.of(), List.of(), List.of(), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("each input's outcome carries what follows from it, and only that")
  void outcome(Case row) {
    Outcome<?> outcome = row.input().apply(new Given());
    assertThat(outcome.commands()).extracting(command -> command.action().name()).as("commands")
      .containsExactlyElementsOf(row.commands());
    assertThat(outcome.decisions()).extracting(decided -> decided.decision().kind().name()).as("decisions")
      .containsExactlyElementsOf(row.decisions());
    assertThat(outcome.alerts()).extracting(alert -> alert.body().getString("kind")).as("alerts")
      .containsExactlyElementsOf(row.alerts());
    assertThat(outcome.events()).extracting(event -> event.type().name()).as("events")
      .containsExactlyElementsOf(row.events());
    assertThat(stored(outcome.facts())).as("stored").containsExactlyElementsOf(row.stored());
    assertThat(outcome.changes() != null).as("dashboard changes").isEqualTo(row.changes());
    assertThat(outcome.facts().alerts).as("the alerts go to the store with their facts")
      .containsExactlyElementsOf(outcome.alerts());
  }

  @Test
  @DisplayName("the reply is typed by the input: the hello's epoch, the highest sequence taken, the operator's answer")
  void replies() {
    Given given = new Given();
    assertThat(given.hello().reply().epoch()).isEqualTo(7);
    assertThat(given.fleet.reports(new ReportBatch("a", T0, List.of(ProbeResult.up("a", "http", T0, Duration.ZERO,
      "ok").withSeq(5))), T0).reply().ackSeq()).isEqualTo(5);
    assertThat(given.operate("{\"action\":\"restart\",\"agentId\":\"a\",\"service\":\"svc\",\"by\":\"alice\"}")
      .reply()).isInstanceOfSatisfying(JsonObject.class, reply -> assertThat(reply.getString("commandId"))
      .isEqualTo("cmd-1"));
    assertThat(given.fleet.tick(T0).reply()).isNull();
  }

  @Test
  @DisplayName("reports from an agent without a hello fail with NoHello, naming the agent, not with any other error")
  void noHello() {
    Given given = new Given();
    assertThatThrownBy(() -> given.result(true, 1)).isInstanceOfSatisfying(NoHello.class,
      e -> assertThat(e.agentId()).isEqualTo("a"));
  }

  @Test
  @DisplayName("the shown state is served with each check and agent: silenced first, then agent lost, else the phase")
  void shown() {
    Given given = new Given();
    given.hello();
    given.result(false, 1);
    assertThat(shown(given, 2)).containsExactly("failing", "connected");
    given.operate("{\"action\":\"silence\",\"agentId\":\"a\",\"checkId\":\"http\",\"duration\":\"1m\",\"by\":\"d\"}");
    assertThat(shown(given, 2)).containsExactly("silenced", "connected");
    given.fleet.disconnected("a");
    assertThat(shown(given, 3)).as("a silence outranks a lost agent").containsExactly("silenced", "agent_lost");
    assertThat(shown(given, 61)).as("the silence ran out").containsExactly("agent_lost", "agent_lost");
    JsonObject changes = given.fleet.tick(T0.plusSeconds(62)).changes();
    assertThat(changes.getJsonArray("checks").getJsonObject(0).getString("shown")).isEqualTo("agent_lost");
  }

  private static List<String> shown(Given given, int second) {
    JsonObject snapshot = given.fleet.snapshot(T0.plusSeconds(second), null, true);
    return List.of(snapshot.getJsonArray("checks").getJsonObject(0).getString("shown"),
      snapshot.getJsonArray("agents").getJsonObject(0).getString("shown"));
  }

  private static List<String> stored(Facts facts) {
    List<String> kinds = new ArrayList<>();
    add(kinds, "results", facts.results.size());
    add(kinds, "events", facts.events.size());
    add(kinds, "transitions", facts.transitions.size());
    add(kinds, "incidents", facts.incidents.size());
    add(kinds, "actions", facts.actions.size());
    add(kinds, "checks", facts.checks.size());
    add(kinds, "agents", facts.agents.size());
    add(kinds, "silences", facts.silences.size());
    add(kinds, "alerts", facts.alerts.size());
    return kinds;
  }

  private static void add(List<String> kinds, String kind, int size) {
    if (size > 0) {
      kinds.add(kind);
    }
  }
}
