package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.CheckState;
import dev.kelpie.shared.policy.Decision;
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

/** What the agent decided alone, handed back in its hello and replayed: merged once, judged by nobody twice. */
class HandBackTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String DECIDED = "decided by the agent while the coordinator was away";
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(42, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), Duration.ofSeconds(90), FleetMetrics.NONE);
  private final Collected seen = new Collected();

  /** Two failures cross; one restart per hour. */
  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(1, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  private Outcome<HelloReply> hello(Map<String, CheckMemory> memory, long decidedUpTo, int second) {
    return seen.take(fleet.hello(new AgentHello("a", "host", "1",
      List.of(new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy())), List.of(), memory, decidedUpTo),
      T0.plusSeconds(second)));
  }

  private Outcome<ReportAck> send(int second, Report... reports) {
    return seen.take(fleet.reports(new ReportBatch("a", T0.plusSeconds(second), List.of(reports)),
      T0.plusSeconds(second)));
  }

  private JsonObject check() {
    return fleet.snapshot(T0, null, true).getJsonArray("checks").getJsonObject(0);
  }

  @Test
  @DisplayName("a restart and a give-up decided alone: the budget counts it, reports up to the hand-over are not "
    + "judged again, the action is recorded once with a late alert, the incident dates from the decision")
  void mergedOnce() {
    hello(Map.of(), 0, 0);
    send(1, ProbeResult.up("a", "http", T0.plusSeconds(1), Duration.ZERO, "").withSeq(1));
    seen.drainFacts();

    // alone, the agent runs the same policy: two failures, a restart, two more, gave up
    CheckState alone = new CheckState(policy());
    Instant decidedAt = T0.plusSeconds(10);
    alone.onResult(decidedAt.minusSeconds(1), false, Duration.ZERO);
    assertThat(alone.onResult(decidedAt, false, Duration.ZERO).kind()).isEqualTo(Decision.Kind.RESTART);
    alone.onStarted(T0.plusSeconds(11));
    alone.onResult(T0.plusSeconds(12), true, Duration.ZERO);
    alone.onResult(T0.plusSeconds(13), false, Duration.ZERO);
    assertThat(alone.onResult(T0.plusSeconds(14), false, Duration.ZERO).kind()).isEqualTo(Decision.Kind.GIVE_UP);

    Outcome<HelloReply> back = hello(Map.of("http", alone.memory(T0.plusSeconds(20))), 8, 20);
    assertThat(back.reply().memory().get("http").phase()).as("the memory handed back is the coordinator's now")
      .isEqualTo(CheckPhase.GAVE_UP);
    assertThat(check().getString("phase")).isEqualTo("gave_up");
    assertThat(check().getInteger("restartsUsed")).isEqualTo(1);
    Facts facts = seen.drainFacts();
    assertThat(facts.transitions).singleElement().satisfies(t -> {
      assertThat(t.at()).as("dated from the agent's decision").isEqualTo(decidedAt);
      assertThat(t.reason()).startsWith(DECIDED);
    });
    assertThat(facts.incidents.values()).singleElement().satisfies(i -> assertThat(i.openedAt()).isEqualTo(decidedAt));

    List<Report> replay = List.of(
      ProbeResult.down("a", "http", T0.plusSeconds(9), Duration.ZERO, "timeout").withSeq(2),
      ProbeResult.down("a", "http", decidedAt, Duration.ZERO, "timeout").withSeq(3),
      ProcessEvent.of("a", "svc", decidedAt, ProcessEventType.SIGNALLED, 7, "local-1", null).withSeq(4),
      ProcessEvent.of("a", "svc", T0.plusSeconds(11), ProcessEventType.STARTED, 8, "local-1", null).withSeq(5),
      new CommandResult("a", 6, "local-1", "svc", Action.RESTART, CommandStatus.DONE, "started as pid 8",
        T0.plusSeconds(11), Duration.ofSeconds(1), 8L)
        .decidedLocally(new CommandResult.LocalDecision("http", "2 failures in a row", decidedAt)),
      ProbeResult.down("a", "http", T0.plusSeconds(14), Duration.ZERO, "timeout").withSeq(7),
      ProbeResult.down("a", "http", T0.plusSeconds(15), Duration.ZERO, "timeout").withSeq(8));
    Outcome<ReportAck> first = send(21, replay.toArray(Report[]::new));
    Outcome<ReportAck> again = send(22, replay.toArray(Report[]::new));
    assertThat(first.commands()).as("no second restart").isEmpty();
    assertThat(again.commands()).isEmpty();
    assertThat(check().getString("phase")).as("the replay did not start the check over").isEqualTo("gave_up");
    assertThat(check().getInteger("restartsUsed")).as("the budget counts the local restart once").isEqualTo(1);

    facts = seen.drainFacts();
    assertThat(facts.actions.values()).singleElement().satisfies(a -> {
      assertThat(a.issuedBy()).isEqualTo("agent");
      assertThat(a.issuedAt()).isEqualTo(decidedAt);
      assertThat(a.reason()).startsWith(DECIDED);
      assertThat(a.status()).isEqualTo("done");
    });
    assertThat(facts.alerts).filteredOn(alert -> "action_taken".equals(alert.body().getString("kind")))
      .singleElement().satisfies(alert -> assertThat(alert.body().getJsonObject("details").getBoolean("late")).isTrue());
  }

  @Test
  @DisplayName("a restart the agent began alone and finishes after the hello: the check waits on it, then starts over")
  void finishedAfterTheHandOver() {
    hello(Map.of(), 0, 0);
    CheckState alone = new CheckState(policy());
    alone.onResult(T0.plusSeconds(9), false, Duration.ZERO);
    alone.onResult(T0.plusSeconds(10), false, Duration.ZERO);
    hello(Map.of("http", alone.memory(T0.plusSeconds(11))), 2, 11);
    assertThat(check().getString("phase")).isEqualTo("acting");

    send(12, ProcessEvent.of("a", "svc", T0.plusSeconds(10), ProcessEventType.SIGNALLED, 7, "local-1", null).withSeq(1),
      ProbeResult.down("a", "http", T0.plusSeconds(10), Duration.ZERO, "").withSeq(2),
      ProbeResult.down("a", "http", T0.plusSeconds(12), Duration.ZERO, "").withSeq(3),
      ProbeResult.down("a", "http", T0.plusSeconds(12), Duration.ZERO, "").withSeq(4));
    assertThat(check().getString("phase")).as("busy with the agent's restart: not judged").isEqualTo("acting");
    Outcome<ReportAck> done = send(13,
      ProcessEvent.of("a", "svc", T0.plusSeconds(13), ProcessEventType.STARTED, 8, "local-1", null).withSeq(5),
      new CommandResult("a", 6, "local-1", "svc", Action.RESTART, CommandStatus.DONE, "started as pid 8",
        T0.plusSeconds(13), Duration.ofSeconds(3), 8L)
        .decidedLocally(new CommandResult.LocalDecision("http", "2 failures in a row", T0.plusSeconds(10))));
    assertThat(done.commands()).isEmpty();
    assertThat(check().getString("phase")).isEqualTo("starting");
    assertThat(done.reply().memory()).as("the agent is told where the check stands").containsKey("http");
  }

  @Test
  @DisplayName("a restart recorded by a coordinator that died before sending it is resent to an agent that did nothing "
    + "alone, and never to one that restarted the service itself meanwhile")
  void commandOfAnEarlierEpochSupersededByTheAgent() {
    for (boolean actedAlone : List.of(false, true)) {
      FleetState restarted = new FleetState(43, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "new",
        Duration.ofSeconds(90), FleetMetrics.NONE);
      Facts.Action recorded = new Facts.Action("cmd-old", "a", "svc", "restart", "2 failures in a row", "policy",
        T0, T0.plusSeconds(30), 42, null, null, null, null);
      restarted.restore(new Store.Restored(
        Map.of("a", new Facts.AgentRecord("a", "host", "1", 3, T0, null)), Map.of(), Map.of(), List.of(recorded),
        List.of()), T0.plusSeconds(5));
      CheckState alone = new CheckState(policy());
      alone.onResult(T0.minusSeconds(1), false, Duration.ZERO);
      alone.onResult(T0, false, Duration.ZERO);
      alone.onStarted(T0.plusSeconds(2));
      restarted.hello(new AgentHello("a", "host", "1",
        List.of(new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy())), List.of(),
        actedAlone ? Map.of("http", alone.memory(T0.plusSeconds(6))) : Map.of(), actedAlone ? 5 : 0),
        T0.plusSeconds(6));

      List<String> resent = restarted.unansweredFromEarlierEpochs("a", T0.plusSeconds(6)).stream()
        .map(command -> command.id()).toList();
      List<String> superseded = restarted.supersededByTheAgent("a", T0.plusSeconds(6)).stream()
        .map(command -> command.id()).toList();
      if (actedAlone) {
        assertThat(resent).as("not sent again: the agent restarted svc itself").isEmpty();
        assertThat(superseded).containsExactly("cmd-old");
        Facts facts = restarted.unsent(restarted.supersededByTheAgent("a", T0.plusSeconds(6)).get(0),
          T0.plusSeconds(6), "not sent: the agent restarted svc itself").facts();
        assertThat(facts.actions.get("cmd-old").status()).isEqualTo("unsent");
      } else {
        assertThat(resent).as("handed to the agent again under the same id").containsExactly("cmd-old");
        assertThat(superseded).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("a remediation recorded by a coordinator that died before its answer is never sent again (its record "
    + "does not say whether it was a dry run): recorded unsent; a restart beside it is still handed over, and a dry "
    + "run keeps its flag under a new epoch")
  void remediationOfAnEarlierEpochIsNotSentAgain() {
    FleetState restarted = new FleetState(43, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "new",
      Duration.ofSeconds(90), FleetMetrics.NONE);
    Facts.Action remediation = new Facts.Action("cmd-fix", "a", "jobs", "remediate", "operator olga (dry run)",
      "olga", T0, T0.plusSeconds(30), 42, null, null, null, null);
    Facts.Action restart = new Facts.Action("cmd-old", "a", "svc", "restart", "2 failures in a row", "policy",
      T0, T0.plusSeconds(30), 42, null, null, null, null);
    restarted.restore(new Store.Restored(
      Map.of("a", new Facts.AgentRecord("a", "host", "1", 3, T0, null)), Map.of(), Map.of(),
      List.of(remediation, restart), List.of()), T0.plusSeconds(5));
    restarted.hello(new AgentHello("a", "host", "1",
      List.of(new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy())), List.of(), Map.of(), 0),
      T0.plusSeconds(6));

    assertThat(restarted.unansweredFromEarlierEpochs("a", T0.plusSeconds(6)).stream().map(Command::id).toList())
      .containsExactly("cmd-old");
    List<Command> remediations = restarted.remediationsFromEarlierEpochs("a");
    assertThat(remediations.stream().map(Command::id).toList()).containsExactly("cmd-fix");
    Facts facts = restarted.unsent(remediations.get(0), T0.plusSeconds(6), "not sent again").facts();
    assertThat(facts.actions.get("cmd-fix").status()).isEqualTo("unsent");

    Command dryRun = new Command("d", "a", "jobs", Action.REMEDIATE, "why", T0, T0.plusSeconds(30), 42, true);
    assertThat(dryRun.withEpoch(57)).isEqualTo(new Command("d", "a", "jobs", Action.REMEDIATE, "why", T0,
      T0.plusSeconds(30), 57, true));
  }
}
