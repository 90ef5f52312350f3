package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of a {@link CheckMemory} (the {@code memory} column of a check), kept out of the policy package so
 * the policy stays free of Vert.x: instants as epoch milliseconds, null when unset.
 */
public final class CheckMemoryJson {

  private CheckMemoryJson() {
  }

  public static JsonObject toJson(CheckMemory memory) {
    JsonArray restarts = new JsonArray();
    memory.restarts().forEach(at -> restarts.add(at.toEpochMilli()));
    return new JsonObject()
      .put("phase", memory.phase().name())
      .put("consecutiveFailures", memory.consecutiveFailures())
      .put("restarts", restarts)
      .put("restartsSinceStable", memory.restartsSinceStable())
      .put("lastRestartAt", millis(memory.lastRestartAt()))
      .put("healthySince", millis(memory.healthySince()))
      .put("graceUntil", millis(memory.graceUntil()))
      .put("startupDeadline", millis(memory.startupDeadline()))
      .put("restartNotBefore", millis(memory.restartNotBefore()))
      .put("pendingReason", memory.pendingReason())
      .put("reason", memory.reason());
  }

  public static CheckMemory fromJson(JsonObject json) {
    List<Instant> restarts = new ArrayList<>();
    json.getJsonArray("restarts", new JsonArray()).forEach(at -> restarts.add(Instant.ofEpochMilli((Long) at)));
    return new CheckMemory(CheckPhase.valueOf(json.getString("phase")), json.getInteger("consecutiveFailures", 0),
      restarts, json.getInteger("restartsSinceStable", 0), instant(json, "lastRestartAt"),
      instant(json, "healthySince"), instant(json, "graceUntil"), instant(json, "startupDeadline"),
      instant(json, "restartNotBefore"), json.getString("pendingReason"), json.getString("reason"));
  }

  private static Long millis(Instant at) {
    return at == null ? null : at.toEpochMilli();
  }

  private static Instant instant(JsonObject json, String field) {
    Long millis = json.getLong(field);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
