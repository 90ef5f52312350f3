package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A check as its agent announces it: what it probes ({@code target}, for people), the service it acts on (may be
 * null: such a check only reports), the policy the coordinator applies to its results, and its labels (the agent's
 * own merged with the check's), which alert routes and the dashboard's filters match on. The type is any name: a
 * coordinator shows and judges a check of a kind it does not know.
 */
public record CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy,
                        Map<String, String> labels) {

  private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,39}");

  public CheckSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy) {
    this(id, type, service, target, policy, Map.of());
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("type", type.name())
      .put("service", service)
      .put("target", target)
      .put("policy", PolicySpecJson.toJson(policy))
      .put("labels", new JsonObject(new TreeMap<>(labels)));
  }

  public static CheckSpec fromJson(JsonObject json) {
    return new CheckSpec(
      Json.string(json, "id"),
      type(json),
      Json.optionalString(json, "service"),
      Json.optionalString(json, "target"),
      Json.nested("policy", () -> PolicySpecJson.fromJson(Json.object(json, "policy"))),
      labels(json));
  }

  private static CheckType type(JsonObject json) {
    String name = Json.string(json, "type");
    if (!TYPE_NAME.matcher(name).matches()) {
      throw new MessageFormatException("type", "expected a type name of up to 40 letters, digits, '.', '_' or '-'"
        + " starting with a letter, got '" + (name.length() > 40 ? name.substring(0, 40) + "..." : name) + "'");
    }
    return CheckType.of(name);
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
