package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.CheckRules;
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

/** A jobs check's policy that remediates instead of restarting, and a person's remediation, without sockets. */
class RemediationPolicyTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final CheckType JOBS = CheckType.of("jobs");
  private final AtomicInteger ids = new AtomicInteger();
  private final FleetState fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60),
    () -> "cmd-" + ids.incrementAndGet(), Duration.ofSeconds(90), FleetMetrics.NONE)
    .alerting(Duration.ofMinutes(10), MaintenanceWindows.NONE);
  private final Collected seen = new Collected();
  private long seq;

  /** Threshold 2, no grace, no backoff. */
  private static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(3, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  private void hello() {
    seen.take(fleet.hello(new AgentHello("a", "host-a", "1", List.of(
      new CheckSpec("stuck", JOBS, "svc", "jobs app.jobs", policy(), Map.of(),
        new CheckRules(List.of(), false, false, true)),
      new CheckSpec("http", CheckType.HTTP, "svc", "GET /", policy())),
      List.of(new ServiceInfo("svc", true, 100L, T0, null))), T0));
    seen.drainFacts();
  }

  private List<Command> report(Report report, int second) {
    Instant at = T0.plusSeconds(second);
    return seen.take(fleet.reports(new ReportBatch("a", at, List.of(report.withSeq(++seq))), at)).commands();
  }

  private List<Command> down(String check, int second) {
    return report(ProbeResult.down("a", check, T0.plusSeconds(second), Duration.ZERO, "3 stuck"), second);
  }

  @Test
  @DisplayName("a jobs check with remediate on failure gets a remediate command from the policy, recorded with who = "
    + "policy, and no restart; its answer's rows and ids are kept with the action")
  void policyRemediates() {
    hello();
    assertThat(down("stuck", 1)).isEmpty();
    List<Command> sent = down("stuck", 2);
    assertThat(sent).singleElement().satisfies(command -> {
      assertThat(command.action()).isEqualTo(Action.REMEDIATE);
      assertThat(command.service()).isEqualTo("stuck");
      assertThat(command.dryRun()).isFalse();
      assertThat(command.reason()).startsWith("stuck: 2 failures in a row");
    });
    Facts facts = seen.drainFacts();
    assertThat(facts.actions.values()).singleElement().satisfies(action -> {
      assertThat(action.action()).isEqualTo("remediate");
      assertThat(action.issuedBy()).isEqualTo(FleetRules.POLICY);
    });
    assertThat(down("stuck", 3)).as("no second order while the first runs").isEmpty();

    Command command = sent.get(0);
    CommandResult answer = CommandResult.of(command, CommandStatus.DONE, "2 rows changed: 1, 6", T0.plusSeconds(4),
      Duration.ofMillis(30), null).withRemediation(new CommandResult.Remediation(false, List.of("1", "6")));
    assertThat(report(answer, 4)).isEmpty();
    Facts answered = seen.drainFacts();
    assertThat(answered.actions.get(command.id()).evidence()).isEqualTo(new JsonObject().put("remediation",
      new JsonObject().put("dryRun", false).put("count", 2).put("ids", new io.vertx.core.json.JsonArray()
        .add("1").add("6"))));
    assertThat(answered.actions.values()).noneMatch(action -> action.action().equals("restart"));

    assertThat(down("http", 5)).isEmpty();
    assertThat(down("http", 6)).as("the other check still restarts the service").singleElement()
      .satisfies(c -> assertThat(c.action()).isEqualTo(Action.RESTART));
  }

  @Test
  @DisplayName("a person's remediation: a dry run is a command marked as such with the caller's name; a check that "
    + "is not a jobs check is refused 400 naming it, an unknown one 404")
  void operatorRemediates() {
    hello();
    Outcome<JsonObject> outcome = seen.take(fleet.operate(OperatorRequest.fromJson(new JsonObject()
      .put("action", "remediate").put("agentId", "a").put("checkId", "stuck").put("dryRun", true)
      .put("by", "olga").put("reason", "look first")), T0.plusSeconds(1)));
    assertThat(outcome.commands()).singleElement().satisfies(command -> {
      assertThat(command.action()).isEqualTo(Action.REMEDIATE);
      assertThat(command.dryRun()).isTrue();
      assertThat(command.reason()).isEqualTo("operator olga (dry run): look first");
    });
    assertThat(outcome.reply().getString("commandId")).isEqualTo(outcome.commands().get(0).id());
    assertThat(seen.drainFacts().actions.values()).singleElement()
      .satisfies(action -> assertThat(action.issuedBy()).isEqualTo("olga"));

    assertThatThrownBy(() -> fleet.operate(OperatorRequest.fromJson(new JsonObject().put("action", "remediate")
      .put("agentId", "a").put("checkId", "http").put("by", "olga")), T0.plusSeconds(2)))
      .isInstanceOfSatisfying(OperatorRequest.Refused.class, refused -> {
        assertThat(refused.code()).isEqualTo(400);
        assertThat(refused.getMessage()).isEqualTo("check 'http' of agent 'a' is a http check; only jobs checks can "
          + "be remediated");
      });
    assertThatThrownBy(() -> fleet.operate(OperatorRequest.fromJson(new JsonObject().put("action", "remediate")
      .put("agentId", "a").put("checkId", "nope").put("by", "olga")), T0.plusSeconds(2)))
      .isInstanceOfSatisfying(OperatorRequest.Refused.class, refused -> assertThat(refused.code()).isEqualTo(404));
  }
}
