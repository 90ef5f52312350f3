package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;

/**
 * The agent's answer to a {@link Command}: always sent, whether the command ran, failed or was refused. With
 * {@code local} set (optional), the command was the agent's own, decided while no coordinator was there. A kill, a
 * restart or a dump carries the {@link Evidence} taken before it (optional: older agents send none).
 */
public record CommandResult(String agentId, long seq, String commandId, String service, Action action,
                            CommandStatus status, String detail, Instant time, Duration duration, Long pid,
                            LocalDecision local, Evidence evidence)
  implements Report {

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
    this(agentId, seq, commandId, service, action, status, detail, time, duration, pid, null, null);
  }

  /** The same result, as the outcome of a decision the agent took itself. */
  public CommandResult decidedLocally(LocalDecision decision) {
    return new CommandResult(agentId, seq, commandId, service, action, status, detail, time, duration, pid, decision,
      evidence);
  }

  /** The same result, with the evidence taken before the kill, restart or dump. */
  public CommandResult withEvidence(Evidence taken) {
    return new CommandResult(agentId, seq, commandId, service, action, status, detail, time, duration, pid, local,
      taken);
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
      evidence);
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
        : Json.nested("evidence", () -> Evidence.fromJson(Json.object(json, "evidence"))));
  }
}
