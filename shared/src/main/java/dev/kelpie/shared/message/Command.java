package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * An order from the coordinator to one agent. The agent executes it at most once (by id), refuses it once expired
 * or when it comes from an older coordinator epoch, and always answers with a {@link CommandResult}. A
 * {@link Action#REMEDIATE} names its check in {@code service}; with {@code dryRun} it only lists what it would change
 * (the field is sent only when true, so older agents see no change).
 */
public record Command(String id, String agentId, String service, Action action, String reason, Instant issuedAt,
                      Instant expiresAt, long epoch, boolean dryRun) {

  public Command(String id, String agentId, String service, Action action, String reason, Instant issuedAt,
                 Instant expiresAt, long epoch) {
    this(id, agentId, service, action, reason, issuedAt, expiresAt, epoch, false);
  }

  /** The same command under another fencing epoch (everything else kept, a dry run stays a dry run). */
  public Command withEpoch(long newEpoch) {
    return new Command(id, agentId, service, action, reason, issuedAt, expiresAt, newEpoch, dryRun);
  }

  public boolean expiredAt(Instant now) {
    return now.isAfter(expiresAt);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("agentId", agentId)
      .put("service", service)
      .put("action", Json.wire(action))
      .put("reason", reason)
      .put("issuedAt", issuedAt.toEpochMilli())
      .put("expiresAt", expiresAt.toEpochMilli())
      .put("epoch", epoch);
    return dryRun ? json.put("dryRun", true) : json;
  }

  public static Command fromJson(JsonObject json) {
    return new Command(
      Json.string(json, "id"),
      Json.string(json, "agentId"),
      Json.string(json, "service"),
      Json.enumValue(json, "action", Action.class),
      Json.optionalString(json, "reason"),
      Json.instant(json, "issuedAt"),
      Json.instant(json, "expiresAt"),
      Json.number(json, "epoch"),
      Boolean.TRUE.equals(json.getValue("dryRun")));
  }
}
