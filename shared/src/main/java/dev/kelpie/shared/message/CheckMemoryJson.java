package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    json.getJsonArray("restarts", new JsonArray()).forEach(at -> restarts.add(Instant.ofEpochMilli(((Number) at).longValue())));
    return new CheckMemory(CheckPhase.valueOf(json.getString("phase")), json.getInteger("consecutiveFailures", 0),
      restarts, json.getInteger("restartsSinceStable", 0), instant(json, "lastRestartAt"),
      instant(json, "healthySince"), instant(json, "graceUntil"), instant(json, "startupDeadline"),
      instant(json, "restartNotBefore"), json.getString("pendingReason"), json.getString("reason"));
  }

  /** Memories by check id, as an optional message field ({@code memory} of a hello, its reply or an ack). */
  public static JsonObject toJson(Map<String, CheckMemory> byCheck) {
    JsonObject json = new JsonObject();
    byCheck.forEach((checkId, memory) -> json.put(checkId, toJson(memory)));
    return json;
  }

  /** Reads the optional field {@code field} of {@code message}: empty when absent. */
  public static Map<String, CheckMemory> byCheck(JsonObject message, String field) {
    Object value = message.getValue(field);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw new MessageFormatException(field, "expected an object of check memories by check id");
    }
    Map<String, CheckMemory> memories = new LinkedHashMap<>();
    for (String checkId : object.fieldNames()) {
      Object item = object.getValue(checkId);
      try {
        memories.put(checkId, fromJson((JsonObject) item));
      } catch (RuntimeException e) {
        throw new MessageFormatException(field + "." + checkId, "not a check memory: " + e.getMessage());
      }
    }
    return Map.copyOf(memories);
  }

  private static Long millis(Instant at) {
    return at == null ? null : at.toEpochMilli();
  }

  private static Instant instant(JsonObject json, String field) {
    Long millis = json.getLong(field);
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }
}
