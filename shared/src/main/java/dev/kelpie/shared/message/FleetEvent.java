package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** Something about the fleet a person should hear of once, such as an agent gone silent, or back. */
public record FleetEvent(Type type, String agentId, Instant time, String detail) {

  public enum Type {
    AGENT_LOST,
    AGENT_BACK
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", Json.wire(type)).put("agentId", agentId).put("time", time.toEpochMilli())
      .put("detail", detail);
  }

  public static FleetEvent fromJson(JsonObject json) {
    return new FleetEvent(Json.enumValue(json, "type", Type.class), Json.string(json, "agentId"),
      Json.instant(json, "time"), Json.optionalString(json, "detail"));
  }
}
