package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * A check as its agent announces it: what it probes ({@code target}, for people), the service it acts on (may be
 * null: such a check only reports), the policy the coordinator applies to its results, and its labels (the agent's
 * own merged with the check's), which alert routes and the dashboard's filters match on.
 */
public record CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy,
                        Map<String, String> labels) {

  public CheckSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy) {
    this(id, type, service, target, policy, Map.of());
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("type", Json.wire(type))
      .put("service", service)
      .put("target", target)
      .put("policy", PolicySpecJson.toJson(policy))
      .put("labels", new JsonObject(new TreeMap<>(labels)));
  }

  public static CheckSpec fromJson(JsonObject json) {
    return new CheckSpec(
      Json.string(json, "id"),
      Json.enumValue(json, "type", CheckType.class),
      Json.optionalString(json, "service"),
      Json.optionalString(json, "target"),
      Json.nested("policy", () -> PolicySpecJson.fromJson(Json.object(json, "policy"))),
      labels(json));
  }

  private static Map<String, String> labels(JsonObject json) {
    Object value = json.getValue("labels");
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw new MessageFormatException("labels", "expected an object of strings");
    }
    Map<String, String> labels = new TreeMap<>();
    object.forEach(entry -> {
      if (!(entry.getValue() instanceof String text)) {
        throw new MessageFormatException("labels." + entry.getKey(), "expected a string");
      }
      labels.put(entry.getKey(), text);
    });
    return labels;
  }
}
