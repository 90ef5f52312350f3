package dev.kelpie.shared.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's answer to a {@link Command}: always sent, whether the command ran, failed or was refused. With
 * {@code local} set (optional), the command was the agent's own, decided while no coordinator was there. A kill, a
 * restart or a dump carries the {@link Evidence} taken before it (optional: older agents send none).
 */
public record CommandResult(String agentId, long seq, String commandId, String service, Action action,
                            CommandStatus status, String detail, Instant time, Duration duration, Long pid,
                            LocalDecision local, Evidence evidence, Remediation remediation)
  implements Report {

  /**
   * What a remediation listed (a dry run) or changed (optional: only for a remediate): how many rows, and their ids in
   * order, the first {@link #MAX_IDS} of them (a report stays small however many rows were stuck).
   */
  public record Remediation(boolean dryRun, int count, List<String> ids) {

    public static final int MAX_IDS = 1000;

    public Remediation {
      ids = List.copyOf(ids.size() > MAX_IDS ? ids.subList(0, MAX_IDS) : ids);
    }

    public Remediation(boolean dryRun, List<String> ids) {
      this(dryRun, ids.size(), ids);
    }

    public JsonObject toJson() {
      return new JsonObject().put("dryRun", dryRun).put("count", count).put("ids", new JsonArray(ids));
    }

    public static Remediation fromJson(JsonObject json) {
      JsonArray array = Json.array(json, "ids");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String id)) {
          throw new MessageFormatException("ids[" + i + "]", "expected a string");
        }
        ids.add(id);
      }
      Long count = Json.optionalNumber(json, "count");
      return new Remediation(Boolean.TRUE.equals(json.getValue("dryRun")), count == null ? ids.size() : count.intValue(),
        ids);
    }
  }

  public CommandResult(String agentId, long seq, String commandId, String service, Action action,
                       CommandStatus status, String detail, Instant time, Duration duration, Long pid,
                       LocalDecision local, Evidence evidence) {
    this(agentId, seq, commandId, service, action, status, detail, time, duration, pid, local, evidence, null);
  }

  /** Which check decided, why, and when: the agent's own policy, while its coordinator was away. */
  public record LocalDecision(String checkId, String reason, Instant decidedAt) {

    JsonObject toJson() {
      return new JsonObject().put("checkId", checkId).put("reason", reason).put("decidedAt", decidedAt.toEpochMilli());
    }

    static LocalDecision fromJson(JsonObject json) {
      return new LocalDecision(Json.string(json, "checkId"), Json.optionalString(json, "reason"),
        Json.instant(json, "decidedAt"));
    }
  }

  public CommandResult(String agentId, long seq, String commandId, String service, Action action,
                       CommandStatus status, String detail, Instant time, Duration duration, Long pid) {
    this(agentId, seq, commandId, service, action, status, detail, time, duration, pid, null, null, null);
  }

  /** The same result, as the outcome of a decision the agent took itself. */
  public CommandResult decidedLocally(LocalDecision decision) {
    return new CommandResult(agentId, seq, commandId, service, action, status, detail, time, duration, pid, decision,
      evidence, remediation);
  }

  /** The same result, with the evidence taken before the kill, restart or dump. */
  public CommandResult withEvidence(Evidence taken) {
    return new CommandResult(agentId, seq, commandId, service, action, status, detail, time, duration, pid, local,
      taken, remediation);
  }

  /** The same result, with what the remediation listed or changed. */
  public CommandResult withRemediation(Remediation done) {
    return new CommandResult(agentId, seq, commandId, service, action, status, detail, time, duration, pid, local,
      evidence, done);
  }

  public static final String KIND = "command-result";

  public static CommandResult of(Command command, CommandStatus status, String detail, Instant time,
                                 Duration duration, Long pid) {
    return new CommandResult(command.agentId(), 0, command.id(), command.service(), command.action(), status, detail,
      time, duration, pid);
  }

  @Override
  public CommandResult withSeq(long seq) {
    return new CommandResult(agentId, seq, commandId, service, action, status, detail, time, duration, pid, local,
      evidence, remediation);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("kind", KIND)
      .put("agentId", agentId)
      .put("seq", seq)
      .put("commandId", commandId)
      .put("service", service)
      .put("action", Json.wire(action))
      .put("status", Json.wire(status))
      .put("detail", detail)
      .put("time", time.toEpochMilli())
      .put("durationMs", duration.toMillis());
    if (pid != null) {
      json.put("pid", pid);
    }
    if (local != null) {
      json.put("local", local.toJson());
    }
    if (evidence != null) {
      json.put("evidence", evidence.toJson());
    }
    if (remediation != null) {
      json.put("remediation", remediation.toJson());
    }
    return json;
  }

  public static CommandResult fromJson(JsonObject json) {
    return new CommandResult(
      Json.string(json, "agentId"),
      Json.number(json, "seq"),
      Json.string(json, "commandId"),
      Json.string(json, "service"),
      Json.enumValue(json, "action", Action.class),
      Json.enumValue(json, "status", CommandStatus.class),
      Json.optionalString(json, "detail"),
      Json.instant(json, "time"),
      Json.millis(json, "durationMs"),
      Json.optionalNumber(json, "pid"),
      json.getValue("local") == null ? null
        : Json.nested("local", () -> LocalDecision.fromJson(Json.object(json, "local"))),
      json.getValue("evidence") == null ? null
        : Json.nested("evidence", () -> Evidence.fromJson(Json.object(json, "evidence"))),
      json.getValue("remediation") == null ? null
        : Json.nested("remediation", () -> Remediation.fromJson(Json.object(json, "remediation"))));
  }
}
