package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;

/**
 * A check as its agent announces it: what it probes ({@code target}, for people), the service it acts on (may be
 * null: such a check only reports), and the policy the coordinator applies to its results.
 */
public record CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("type", Json.wire(type))
      .put("service", service)
      .put("target", target)
      .put("policy", policy.toJson());
  }

  public static CheckSpec fromJson(JsonObject json) {
    return new CheckSpec(
      Json.string(json, "id"),
      Json.enumValue(json, "type", CheckType.class),
      Json.optionalString(json, "service"),
      Json.optionalString(json, "target"),
      Json.nested("policy", () -> PolicySpec.fromJson(Json.object(json, "policy"))));
  }
}
