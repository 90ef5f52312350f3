package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

/**
 * The coordinator's answer to an {@link AgentHello}: its epoch (commands from older epochs are refused) and the last
 * sequence number it already holds for this agent, so the agent replays only what is missing.
 */
public record HelloReply(long epoch, long lastSeq) {

  public JsonObject toJson() {
    return new JsonObject().put("epoch", epoch).put("lastSeq", lastSeq);
  }

  public static HelloReply fromJson(JsonObject json) {
    return new HelloReply(Json.number(json, "epoch"), Json.number(json, "lastSeq"));
  }
}
