package dev.kelpie.shared.policy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a check's policy must remember across a coordinator restart: where it stands, the restarts still inside the
 * budget's window, the failures in a row, the backoff level and the timers. The windowed ("k of n") outcomes are not
 * kept: that window starts again from the next result.
 */
public record CheckMemory(CheckPhase phase, int consecutiveFailures, List<Instant> restarts, int restartsSinceStable, Instant lastRestartAt,
                          Instant healthySince, Instant graceUntil, Instant startupDeadline, Instant restartNotBefore,
                          String pendingReason, String reason) {

  public JsonObject toJson() {
    JsonArray restartArray = new JsonArray();
    restarts.forEach(at -> restartArray.add(at.toEpochMilli()));
    return new JsonObject()
      .put("phase", phase.name())
      .put("consecutiveFailures", consecutiveFailures)
      .put("restarts", restartArray)
      .put("restartsSinceStable", restartsSinceStable)
      .put("lastRestartAt", millis(lastRestartAt))
      .put("healthySince", millis(healthySince))
      .put("graceUntil", millis(graceUntil))
      .put("startupDeadline", millis(startupDeadline))
      .put("restartNotBefore", millis(restartNotBefore))
      .put("pendingReason", pendingReason)
      .put("reason", reason);
  }

  public static CheckMemory fromJson(JsonObject json) {
    List<Instant> restarts = new ArrayList<>();
    json.getJsonArray("restarts", new JsonArray()).forEach(at -> restarts.add(Instant.ofEpochMilli((Long) at)));
    return new CheckMemory(CheckPhase.valueOf(json.getString("phase")), json.getInteger("consecutiveFailures", 0),
      restarts,
      json.getInteger("restartsSinceStable", 0), instant(json, "lastRestartAt"), instant(json, "healthySince"),
      instant(json, "graceUntil"), instant(json, "startupDeadline"), instant(json, "restartNotBefore"),
      json.getString("pendingReason"), json.getString("reason"));
  }

  private static Long millis(Instant at) {
    return at == null ? null : at.toEpochMilli();
  }

  private static Instant instant(JsonObject json, String field) {
    Long millis = json.getLong(field);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
