package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * An agent's sign of life with its own vitals, sent every few seconds. Not numbered and never replayed: only the
 * latest one matters.
 */
public record Keepalive(String agentId, Instant time, long rssBytes, double cpuLoad, long eventLoopLagMillis,
                        int bufferDepth) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("agentId", agentId)
      .put("time", time.toEpochMilli())
      .put("rssBytes", rssBytes)
      .put("cpuLoad", cpuLoad)
      .put("eventLoopLagMs", eventLoopLagMillis)
      .put("bufferDepth", bufferDepth);
  }

  public static Keepalive fromJson(JsonObject json) {
    Object cpu = json.getValue("cpuLoad");
    if (!(cpu instanceof Number load)) {
      throw new MessageFormatException("cpuLoad", "expected a number");
    }
    return new Keepalive(Json.string(json, "agentId"), Json.instant(json, "time"), Json.number(json, "rssBytes"),
      load.doubleValue(), Json.number(json, "eventLoopLagMs"), (int) Json.number(json, "bufferDepth"));
  }
}
