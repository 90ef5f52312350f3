package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.RulesSettings;
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
import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The fleet rules over tens of simulated hosts, driven through {@link FleetState} directly: reports in, commands out. */
class FleetRulesTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final RulesSettings.Correlated NO_CORRELATION = RulesSettings.NONE.correlated();
  private static final RulesSettings.Flapping NO_FLAPPING = RulesSettings.NONE.flapping();

  private final AtomicInteger ids = new AtomicInteger();
  private final Map<String, Long> seqs = new HashMap<>();
  private final List<Command> commands = new ArrayList<>();
  private final Facts facts = new Facts();
  private FleetState fleet;

  private FleetState fleet(RulesSettings rules) {
    fleet = new FleetState(1, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd-" + ids.incrementAndGet(),
      Duration.ofHours(1), FleetMetrics.NONE).rules(rules);
    return fleet;
  }

  private static RulesSettings rules(int inFlight, List<RulesSettings.Group> groups, RulesSettings.Correlated c,
                                     RulesSettings.Flapping f) {
    return new RulesSettings(new RulesSettings.InFlight(inFlight, false), groups, c, f);
  }

  private static PolicySpec policy(int budget) {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(budget, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  private static CheckSpec check(String id, String service, String target, CheckRules rules, String... labels) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      map.put(labels[i], labels[i + 1]);
    }
    PolicySpec policy = policy(50);
    if (service == null) {
      policy = new PolicySpec(policy.interval(), policy.timeout(), policy.failureThreshold(), null, 1,
        policy.startupGrace(), false, policy.startupDeadline(), policy.budget(), policy.backoff(), false);
    }
    return new CheckSpec(id, CheckType.HTTP, service, target, policy, map, rules);
  }

  private static CheckSpec app(String id, String service, String... labels) {
    return check(id, service, "GET http://127.0.0.1:8080/health", CheckRules.DEFAULT, labels);
  }

  private void hello(String agent, CheckSpec... checks) {
    take(fleet.hello(new AgentHello(agent, agent + ".example", "1", List.of(checks), List.of()), T0));
  }

  private <R> Outcome<R> take(Outcome<R> outcome) {
    commands.addAll(outcome.commands());
    facts.addAll(outcome.facts());
    return outcome;
  }

  private void send(String agent, long second, Report... reports) {
    List<Report> numbered = new ArrayList<>();
    for (Report report : reports) {
      long seq = seqs.merge(agent, 1L, Long::sum);
      numbered.add(report instanceof ProbeResult r ? r.withSeq(seq) : report instanceof CommandResult c
        ? c.withSeq(seq) : ((ProcessEvent) report).withSeq(seq));
    }
    Instant now = T0.plusSeconds(second);
    take(fleet.reports(new ReportBatch(agent, now, numbered), now));
  }

  private static ProbeResult result(String agent, String check, boolean up, long second) {
    Instant at = T0.plusSeconds(second);
    return up ? ProbeResult.up(agent, check, at, Duration.ZERO, "ok")
      : ProbeResult.down(agent, check, at, Duration.ZERO, "connection refused");
  }

  private void probe(String agent, String check, boolean up, long second) {
    send(agent, second, result(agent, check, up, second));
  }

  private void tick(long second) {
    take(fleet.tick(T0.plusSeconds(second)));
  }

  /** The agent carries the command out: done, and the service started again. */
  private void done(Command command, long second) {
    Instant at = T0.plusSeconds(second);
    send(command.agentId(), second, CommandResult.of(command, CommandStatus.DONE, "ok", at, Duration.ofSeconds(1), 7L),
      ProcessEvent.of(command.agentId(), command.service(), at, ProcessEventType.STARTED, 8, command.id(), null));
  }

  private JsonObject shown(String agent, String check) {
    return fleet.snapshot(T0, agent, true).getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(c -> check.equals(c.getString("checkId"))).findFirst().orElseThrow();
  }

  private List<JsonObject> alerts(String kind) {
    return facts.alerts.stream().map(Facts.Alert::body).filter(body -> kind.equals(body.getString("kind"))).toList();
  }

  private static String host(int i) {
    return String.format("h%02d", i);
  }

  @Test
  @DisplayName("30 hosts whose apps depend on one stopped database: no restart, one fleet alert naming it, all held;"
    + " the database back: all healthy, one resolve; an app hung alone meanwhile is restarted")
  void sharedDependency() {
    fleet(rules(0, List.of(), new RulesSettings.Correlated(5, 0, Duration.ofMinutes(2), false), NO_FLAPPING));
    CheckRules needsDb = new CheckRules(List.of("db"), false, false);
    for (int i = 0; i < 30; i++) {
      hello(host(i), check("db", null, "GET http://10.0.0.9:5984/", CheckRules.DEFAULT),
        check("app", "app", "GET http://127.0.0.1:8080/health", needsDb), app("worker", "worker"));
    }
    for (long s = 0; s < 3; s++) {
      for (int i = 0; i < 30; i++) {
        send(host(i), s, result(host(i), "db", true, s), result(host(i), "app", true, s),
          result(host(i), "worker", true, s));
      }
    }
    for (long s = 3; s < 10; s++) {
      for (int i = 0; i < 30; i++) {
        send(host(i), s, result(host(i), "db", false, s), result(host(i), "app", false, s),
          result(host(i), "worker", i != 7, s));
      }
      tick(s);
    }
    assertThat(commands).as("only the worker that hung alone is restarted").hasSize(1);
    assertThat(commands.get(0).agentId()).isEqualTo("h07");
    assertThat(commands.get(0).service()).isEqualTo("worker");
    List<JsonObject> fired = alerts("correlated_failure");
    assertThat(fired).hasSize(1);
    assertThat(fired.get(0).getString("summary")).contains("check db failing on").contains("held");
    for (int i = 0; i < 30; i++) {
      assertThat(shown(host(i), "app").getString("hold")).isEqualTo("blocked by db");
    }
    JsonObject rulesShown = fleet.snapshot(T0, null, false).getJsonObject("rules");
    assertThat(rulesShown.getJsonArray("correlated").getJsonObject(0).getString("cause")).isEqualTo("check:db");

    done(commands.get(0), 10);
    for (long s = 11; s < 14; s++) {
      for (int i = 0; i < 30; i++) {
        send(host(i), s, result(host(i), "db", true, s), result(host(i), "app", true, s),
          result(host(i), "worker", true, s));
      }
      tick(s);
    }
    assertThat(commands).hasSize(1);
    assertThat(alerts("correlated_failure")).extracting(a -> a.getString("status")).containsExactly("firing", "resolved");
    for (int i = 0; i < 30; i++) {
      assertThat(shown(host(i), "app").getString("state")).isEqualTo("healthy");
      assertThat(shown(host(i), "app").containsKey("hold")).isFalse();
    }
  }

  @Test
  @DisplayName("the same check failing on many hosts at once is held, named, and released by an operator by name")
  void correlatedByCheckId() {
    fleet(rules(0, List.of(), new RulesSettings.Correlated(0, 50, Duration.ofMinutes(2), false), NO_FLAPPING));
    for (int i = 0; i < 10; i++) {
      hello(host(i), app("app", "app"));
      probe(host(i), "app", true, 0);
    }
    for (long s = 1; s < 4; s++) {
      for (int i = 0; i < 6; i++) {
        probe(host(i), "app", false, s);
      }
    }
    assertThat(commands).isEmpty();
    assertThat(shown("h00", "app").getString("hold")).startsWith("held: check app failing on 6 of 10 hosts");

    take(fleet.releaseHold("check:app", "alice", "it is the app, not the network", T0.plusSeconds(4)));
    assertThat(facts.actions.values()).anySatisfy(action -> {
      assertThat(action.action()).isEqualTo("release");
      assertThat(action.issuedBy()).isEqualTo("alice");
    });
    for (int i = 0; i < 6; i++) {
      probe(host(i), "app", false, 5);
    }
    assertThat(commands).hasSize(6);
  }

  @Test
  @DisplayName("one host failing alone is restarted as before, correlation or not")
  void aloneIsRestarted() {
    fleet(rules(0, List.of(), new RulesSettings.Correlated(3, 0, Duration.ofMinutes(2), false), NO_FLAPPING));
    for (int i = 0; i < 10; i++) {
      hello(host(i), app("app", "app"));
    }
    probe("h03", "app", false, 1);
    probe("h03", "app", false, 2);
    assertThat(commands).hasSize(1);
    assertThat(alerts("correlated_failure")).isEmpty();
  }

  @Test
  @DisplayName("20 services hang at once with 5 restarts in flight at most: never more than 5 run, all 20 recover,"
    + " in the order they asked")
  void blastRadius() {
    fleet(rules(5, List.of(), NO_CORRELATION, NO_FLAPPING));
    for (int i = 0; i < 20; i++) {
      hello(host(i), app("app", "app"));
    }
    Map<String, Long> issuedAt = new LinkedHashMap<>();
    Map<String, Long> finishedAt = new HashMap<>();
    Map<String, Boolean> healthy = new HashMap<>();
    for (long s = 0; s < 60; s++) {
      for (int i = 0; i < 20; i++) {
        String h = host(i);
        if (!issuedAt.containsKey(h) || finishedAt.containsKey(h)) {
          probe(h, "app", finishedAt.containsKey(h), s);
        }
      }
      for (Command command : List.copyOf(commands)) {
        issuedAt.putIfAbsent(command.agentId(), s);
        if (!finishedAt.containsKey(command.agentId()) && s - issuedAt.get(command.agentId()) >= 3) {
          done(command, s);
          finishedAt.put(command.agentId(), s);
        }
      }
      if (s == 2) {
        assertThat(shown("h19", "app").getString("hold"))
          .startsWith("waiting: 5 restarts already running in the fleet (at most 5)");
      }
      tick(s);
    }
    for (int i = 0; i < 20; i++) {
      healthy.put(host(i), "healthy".equals(shown(host(i), "app").getString("state")));
    }
    assertThat(commands).hasSize(20);
    assertThat(healthy).doesNotContainValue(false);
    long most = 0;
    for (long s = 0; s < 60; s++) {
      long at = s;
      long running = issuedAt.keySet().stream()
        .filter(h -> issuedAt.get(h) <= at && finishedAt.get(h) > at).count();
      most = Math.max(most, running);
    }
    assertThat(most).isEqualTo(5);
    assertThat(commands).extracting(Command::agentId)
      .containsExactly(java.util.stream.IntStream.range(0, 20).mapToObj(FleetRulesTest::host).toArray(String[]::new));
  }

  @Test
  @DisplayName("a label group allows 10 % of its hosts at once and says so")
  void labelGroup() {
    fleet(rules(0, List.of(new RulesSettings.Group("role", null, 0, 10, false)), NO_CORRELATION, NO_FLAPPING));
    for (int i = 0; i < 20; i++) {
      hello(host(i), app("app", "app", "role", i < 10 ? "web" : "db"));
    }
    for (long s = 0; s < 2; s++) {
      for (int i = 0; i < 20; i++) {
        probe(host(i), "app", false, s);
      }
    }
    assertThat(commands).extracting(Command::agentId).containsExactly("h00", "h10");
    assertThat(shown("h01", "app").getString("hold"))
      .isEqualTo("waiting: 1 restarts already running in role=web (at most 1 of its 10 hosts)");
  }

  @Test
  @DisplayName("dependsOn: while db fails, the app's failures are 'blocked by db' and never restart it; db healthy:"
    + " normal")
  void dependsOn() {
    fleet(RulesSettings.NONE);
    hello("a", check("db", null, "tcp 127.0.0.1:5432", CheckRules.DEFAULT),
      check("app", "app", "GET http://127.0.0.1:8080/", new CheckRules(List.of("db"), false, false)));
    for (long s = 0; s < 4; s++) {
      send("a", s, result("a", "db", false, s), result("a", "app", false, s));
    }
    assertThat(commands).isEmpty();
    assertThat(shown("a", "app").getString("hold")).isEqualTo("blocked by db");
    assertThat(shown("a", "app").getInteger("restartsUsed")).isZero();
    send("a", 4, result("a", "db", true, 4), result("a", "app", false, 4));
    assertThat(commands).hasSize(1);
    assertThat(commands.get(0).service()).isEqualTo("app");
  }

  @Test
  @DisplayName("two checks of one service share its budget of 2 an hour: the third restart, from either, is refused")
  void serviceBudget() {
    fleet(RulesSettings.NONE);
    PolicySpec two = policy(2);
    hello("a", new CheckSpec("http", CheckType.HTTP, "svc", "GET /", two),
      new CheckSpec("tcp", CheckType.TCP, "svc", "tcp :80", two));
    String[] order = {"http", "tcp", "http"};
    long s = 0;
    for (String failing : order) {
      send("a", s, result("a", failing, false, s));
      send("a", s + 1, result("a", failing, false, s + 1));
      if (commands.size() > 0 && !commands.get(commands.size() - 1).id().equals("done-" + s)) {
        Command last = commands.get(commands.size() - 1);
        done(last, s + 2);
      }
      send("a", s + 3, result("a", "http", true, s + 3), result("a", "tcp", true, s + 3));
      s += 10;
    }
    assertThat(commands).hasSize(2);
    JsonObject http = shown("a", "http");
    assertThat(http.getString("state")).isEqualTo("gave_up");
    assertThat(http.getString("reason")).contains("restart budget of 2 per 1h of service svc (shared by its 2"
      + " checks) used up");
  }

  @Test
  @DisplayName("a check with budgetScope check keeps a budget of its own")
  void ownBudget() {
    fleet(RulesSettings.NONE);
    PolicySpec two = policy(2);
    CheckRules own = new CheckRules(List.of(), false, true);
    hello("a", new CheckSpec("http", CheckType.HTTP, "svc", "GET /", two, Map.of(), own),
      new CheckSpec("tcp", CheckType.TCP, "svc", "tcp :80", two, Map.of(), own));
    long s = 0;
    for (String failing : new String[] {"http", "tcp", "http"}) {
      send("a", s, result("a", failing, false, s));
      send("a", s + 1, result("a", failing, false, s + 1));
      done(commands.get(commands.size() - 1), s + 2);
      send("a", s + 3, result("a", "http", true, s + 3), result("a", "tcp", true, s + 3));
      s += 10;
    }
    assertThat(commands).hasSize(3);
  }

  @Test
  @DisplayName("a service crashing every 5 s: one flapping alert, its restarts held with a growing backoff, and"
    + " the incident open through the cycles")
  void flapping() {
    fleet(rules(0, List.of(), NO_CORRELATION, new RulesSettings.Flapping(3, Duration.ofMinutes(10),
      Duration.ofSeconds(20), false)));
    hello("a", app("app", "app"));
    long upUntil = 3;
    Command pending = null;
    int handled = 0;
    for (long s = 0; s < 400; s++) {
      if (pending != null) {
        done(pending, s);
        upUntil = s + 5;
        pending = null;
      }
      probe("a", "app", s < upUntil, s);
      if (commands.size() > handled) {
        pending = commands.get(handled++);
      }
      tick(s);
    }
    List<Long> at = commands.stream().map(c -> c.issuedAt().getEpochSecond() - T0.getEpochSecond()).distinct()
      .toList();
    assertThat(at.size()).isGreaterThan(4);
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < at.size(); i++) {
      gaps.add(at.get(i) - at.get(i - 1));
    }
    assertThat(gaps.get(gaps.size() - 1)).as("backoff grows: %s", gaps).isGreaterThan(gaps.get(3));
    assertThat(gaps.get(3)).as("held once flapping: %s", gaps).isGreaterThanOrEqualTo(20);
    assertThat(alerts("flapping")).hasSize(1);
    assertThat(alerts("flapping").get(0).getString("summary")).contains("app on a.example is flapping: 3 restarts");
    long incidentsAfterFlapping = facts.incidents.values().stream()
      .filter(incident -> incident.openedAt().isAfter(T0.plusSeconds(at.get(2)))).count();
    assertThat(incidentsAfterFlapping).as("no new incident per cycle once flapping").isZero();
    assertThat(facts.incidents.values().stream().filter(incident -> incident.closedAt() == null).count()).isEqualTo(1);
  }

  @Test
  @DisplayName("shadow mode: a hang gives a recorded 'would have restarted' and no command")
  void shadow() {
    fleet(RulesSettings.NONE);
    hello("a", check("app", "app", "GET http://127.0.0.1:8080/", new CheckRules(List.of(), true, false)));
    probe("a", "app", false, 1);
    probe("a", "app", false, 2);
    assertThat(commands).isEmpty();
    assertThat(facts.actions.values()).anySatisfy(action -> {
      assertThat(action.status()).isEqualTo("shadow");
      assertThat(action.reason()).startsWith("would have restarted at 10:00:02: 2 failures in a row");
    });
    assertThat(fleet.snapshot(T0, null, false).getJsonObject("rules").getJsonArray("shadow").getJsonObject(0)
      .getString("what")).startsWith("would have restarted at 10:00:02");
  }

  @Test
  @DisplayName("a rule in shadow mode records what it would have held and holds nothing")
  void shadowRule() {
    fleet(new RulesSettings(new RulesSettings.InFlight(1, true), List.of(), NO_CORRELATION, NO_FLAPPING));
    hello("a", app("app", "app"));
    hello("b", app("app", "app"));
    for (long s = 0; s < 2; s++) {
      probe("a", "app", false, s);
      probe("b", "app", false, s);
    }
    assertThat(commands).hasSize(2);
    assertThat(facts.actions.values()).anySatisfy(action -> assertThat(action.reason())
      .startsWith("would have held the restart at 10:00:01: waiting: 1 restarts already running in the fleet"));
  }
}
