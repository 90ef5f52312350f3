package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

/** Coordinator internal: the gateway saw an agent's connection open (after its hello) or close. */
public record AgentLink(String agentId, boolean connected, String remote) {

  public JsonObject toJson() {
    return new JsonObject().put("agentId", agentId).put("connected", connected).put("remote", remote);
  }

  public static AgentLink fromJson(JsonObject json) {
    return new AgentLink(Json.string(json, "agentId"), json.getBoolean("connected", false),
      Json.optionalString(json, "remote"));
  }
}
