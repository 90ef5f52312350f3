package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The remediate command, its result and a check's onFailure survive their JSON forms; older forms read as before. */
class RemediateMessagesTest {

  private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);

  @Test
  @DisplayName("a dry-run remediate and its result with the rows round-trip; a command without dryRun is a real one")
  void roundTrip() {
    Command dry = new Command("c1", "a", "stuck", Action.REMEDIATE, "operator olga: look", T0, T0.plusSeconds(10), 3,
      true);
    assertThat(Command.fromJson(dry.toJson())).isEqualTo(dry);
    Command restart = new Command("c2", "a", "svc", Action.RESTART, "x", T0, T0.plusSeconds(10), 3);
    assertThat(restart.toJson().containsKey("dryRun")).as("older agents see no new field").isFalse();
    assertThat(Command.fromJson(restart.toJson()).dryRun()).isFalse();

    CommandResult result = CommandResult.of(dry, CommandStatus.DONE, "dry run: 2 rows would be changed: 1, 6",
        T0.plusSeconds(1), Duration.ofMillis(20), null)
      .withRemediation(new CommandResult.Remediation(true, List.of("1", "6"))).withSeq(9);
    assertThat(result.toJson().getJsonObject("remediation")).isEqualTo(new JsonObject().put("dryRun", true)
      .put("count", 2).put("ids", new io.vertx.core.json.JsonArray().add("1").add("6")));
    assertThat(CommandResult.fromJson(result.toJson())).isEqualTo(result);
  }

  @Test
  @DisplayName("a remediation of many rows keeps its count and the first 1000 ids; a count below its ids is refused")
  void manyRows() {
    List<String> ids = java.util.stream.IntStream.rangeClosed(1, 2500).mapToObj(Integer::toString).toList();
    CommandResult.Remediation many = new CommandResult.Remediation(false, ids);
    assertThat(many.count()).isEqualTo(2500);
    assertThat(many.ids()).hasSize(CommandResult.Remediation.MAX_IDS).startsWith("1", "2");
    assertThat(CommandResult.Remediation.fromJson(many.toJson())).isEqualTo(many);
    Command run = new Command("c1", "a", "stuck", Action.REMEDIATE, null, T0, T0, 3, false);
    CommandResult lying = CommandResult.of(run, CommandStatus.DONE, "", T0, Duration.ZERO, null)
      .withRemediation(new CommandResult.Remediation(false, 1, List.of("1", "2"))).withSeq(1);
    assertThat(dev.kelpie.shared.rules.AgentRules.report(lying)).containsExactly(
      "remediation.count: must be at least its ids (2), got 1");
  }

  @Test
  @DisplayName("a remediation whose ids are not a list is refused naming the field")
  void badIds() {
    Command dry = new Command("c1", "a", "stuck", Action.REMEDIATE, null, T0, T0, 3, true);
    JsonObject json = CommandResult.of(dry, CommandStatus.DONE, "", T0, Duration.ZERO, null).toJson()
      .put("remediation", new JsonObject().put("ids", "1"));
    assertThatThrownBy(() -> CommandResult.fromJson(json)).isInstanceOf(MessageFormatException.class)
      .hasMessageContaining("remediation.ids");
  }

  @Test
  @DisplayName("a check that remediates on failure says onFailure: remediate; anything else but restart is refused")
  void onFailure() {
    CheckSpec spec = new CheckSpec("stuck", CheckType.of("jobs"), null, "jobs", PolicySpec.defaults(), Map.of(),
      new CheckRules(List.of(), false, false, true));
    assertThat(spec.toJson().getString("onFailure")).isEqualTo("remediate");
    assertThat(CheckSpec.fromJson(spec.toJson())).isEqualTo(spec);
    assertThat(new CheckSpec("h", CheckType.HTTP, null, "GET /", PolicySpec.defaults()).toJson()
      .containsKey("onFailure")).isFalse();
    assertThatThrownBy(() -> CheckSpec.fromJson(spec.toJson().put("onFailure", "pray")))
      .isInstanceOf(MessageFormatException.class).hasMessageContaining("onFailure");
  }
}
