package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * The wire form of a {@link PolicySpec}, kept out of the policy package so the policy stays free of Vert.x: durations
 * as milliseconds ({@code intervalMs}, ...), the window only when there is one.
 */
public final class PolicySpecJson {

  private PolicySpecJson() {
  }

  public static JsonObject toJson(PolicySpec policy) {
    JsonObject json = new JsonObject()
      .put("intervalMs", policy.interval().toMillis())
      .put("timeoutMs", policy.timeout().toMillis())
      .put("failureThreshold", policy.failureThreshold())
      .put("successThreshold", policy.successThreshold())
      .put("startupGraceMs", policy.startupGrace().toMillis())
      .put("waitForFirstHealthy", policy.waitForFirstHealthy())
      .put("startupDeadlineMs", policy.startupDeadline().toMillis())
      .put("budget", new JsonObject().put("restarts", policy.budget().restarts())
        .put("perMs", policy.budget().per().toMillis()))
      .put("backoff", new JsonObject()
        .put("initialMs", policy.backoff().initial().toMillis())
        .put("factor", policy.backoff().factor())
        .put("maxMs", policy.backoff().max().toMillis())
        .put("resetAfterMs", policy.backoff().resetAfter().toMillis()))
      .put("restart", policy.restart());
    if (policy.window() != null) {
      json.put("window", new JsonObject().put("failures", policy.window().failures()).put("of", policy.window().of()));
    }
    return json;
  }

  /** Reads the wire form; throws {@link MessageFormatException} naming the field that is missing or wrong. */
  public static PolicySpec fromJson(JsonObject json) {
    JsonObject window = json.getValue("window") == null ? null : Json.object(json, "window");
    JsonObject budget = Json.object(json, "budget");
    JsonObject backoff = Json.object(json, "backoff");
    return new PolicySpec(
      millis(json, "intervalMs"),
      millis(json, "timeoutMs"),
      integer(json, "failureThreshold"),
      window == null ? null : new PolicySpec.Window(integer(window, "failures"), integer(window, "of")),
      integer(json, "successThreshold"),
      millis(json, "startupGraceMs"),
      bool(json, "waitForFirstHealthy"),
      millis(json, "startupDeadlineMs"),
      new PolicySpec.Budget(integer(budget, "restarts"), millis(budget, "perMs")),
      new PolicySpec.Backoff(millis(backoff, "initialMs"), number(backoff, "factor").doubleValue(),
        millis(backoff, "maxMs"), millis(backoff, "resetAfterMs")),
      bool(json, "restart"));
  }

  private static Number number(JsonObject json, String field) {
    if (!(json.getValue(field) instanceof Number number)) {
      throw new MessageFormatException(field, "expected a number");
    }
    return number;
  }

  private static Duration millis(JsonObject json, String field) {
    return Duration.ofMillis(number(json, field).longValue());
  }

  private static int integer(JsonObject json, String field) {
    return number(json, field).intValue();
  }

  private static boolean bool(JsonObject json, String field) {
    if (!(json.getValue(field) instanceof Boolean value)) {
      throw new MessageFormatException(field, "expected true or false");
    }
    return value;
  }
}
