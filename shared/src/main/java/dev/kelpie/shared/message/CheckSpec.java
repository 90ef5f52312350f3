package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
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
                        Map<String, String> labels, CheckRules rules) {

  private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,39}");

  public CheckSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    rules = rules == null ? CheckRules.DEFAULT : rules;
  }

  public CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy,
                   Map<String, String> labels) {
    this(id, type, service, target, policy, labels, CheckRules.DEFAULT);
  }

  public CheckSpec(String id, CheckType type, String service, String target, PolicySpec policy) {
    this(id, type, service, target, policy, Map.of());
  }

  /** The fleet rules' fields are written only when they differ from the defaults, so old coordinators see no change. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("type", type.name())
      .put("service", service)
      .put("target", target)
      .put("policy", PolicySpecJson.toJson(policy))
      .put("labels", new JsonObject(new TreeMap<>(labels)));
    if (!rules.dependsOn().isEmpty()) {
      json.put("dependsOn", new JsonArray(rules.dependsOn()));
    }
    if (rules.shadow()) {
      json.put("mode", "shadow");
    }
    if (rules.ownBudget()) {
      json.put("budgetScope", "check");
    }
    if (rules.remediate()) {
      json.put("onFailure", "remediate");
    }
    return json;
  }

  public static CheckSpec fromJson(JsonObject json) {
    return new CheckSpec(
      Json.string(json, "id"),
      type(json),
      Json.optionalString(json, "service"),
      Json.optionalString(json, "target"),
      Json.nested("policy", () -> PolicySpecJson.fromJson(Json.object(json, "policy"))),
      labels(json),
      rules(json));
  }

  private static CheckRules rules(JsonObject json) {
    List<String> dependsOn = new ArrayList<>();
    Object deps = json.getValue("dependsOn");
    if (deps != null) {
      if (!(deps instanceof JsonArray array)) {
        throw new MessageFormatException("dependsOn", "expected a list of check ids");
      }
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String dep) || dep.isBlank()) {
          throw new MessageFormatException("dependsOn[" + i + "]", "expected a check id");
        }
        dependsOn.add(dep);
      }
    }
    String mode = Json.optionalString(json, "mode");
    if (mode != null && !mode.equals("shadow") && !mode.equals("enforce")) {
      throw new MessageFormatException("mode", "expected enforce or shadow, got '" + mode + "'");
    }
    String scope = Json.optionalString(json, "budgetScope");
    if (scope != null && !scope.equals("check") && !scope.equals("service")) {
      throw new MessageFormatException("budgetScope", "expected service or check, got '" + scope + "'");
    }
    String onFailure = Json.optionalString(json, "onFailure");
    if (onFailure != null && !onFailure.equals("restart") && !onFailure.equals("remediate")) {
      throw new MessageFormatException("onFailure", "expected restart or remediate, got '" + onFailure + "'");
    }
    return new CheckRules(dependsOn, "shadow".equals(mode), "check".equals(scope), "remediate".equals(onFailure));
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
