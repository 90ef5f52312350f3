package dev.kelpie.agent.probe;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One named condition on a JSON health body: {@code $.checks.db.status == "up"} (a plain JSONPath: names and
 * indexes, no wildcards or filters) or {@code /checks/db/status == "up"} (a JSON Pointer), with {@code ==} or
 * {@code !=} and a JSON value. Both paths are looked up with Vert.x's JSON Pointer.
 */
public record HealthCondition(String name, String path, boolean equal, Object expected) {

  static final String EXAMPLE = "$.checks.db.status == \"up\" (or /checks/db/status == \"up\")";
  private static final Pattern FORM = Pattern.compile("\\s*(\\S+)\\s*(==|!=)\\s*(.+?)\\s*");
  private static final Pattern STEP = Pattern.compile("\\.([A-Za-z_$][\\w$-]*)|\\[(\\d+)]|\\['([^']*)']|\\[\"([^\"]*)\"]");
  private static final Object MISSING = new Object();

  public HealthCondition {
    Objects.requireNonNull(name);
    Objects.requireNonNull(path);
  }

  /** The condition, or the reason the text is not one. */
  static Parsed parse(String name, String text) {
    Matcher form = FORM.matcher(text);
    if (!form.matches()) {
      return Parsed.problem("expected <path> == <JSON value>, like " + EXAMPLE + ", got \"" + text + "\"");
    }
    Optional<String> pointer = pointer(form.group(1));
    if (pointer.isEmpty()) {
      return Parsed.problem("expected a path of names and [indexes] starting with $ or /, like " + EXAMPLE
        + " (no wildcards or filters), got \"" + form.group(1) + "\"");
    }
    Object expected;
    try {
      expected = Json.decodeValue(form.group(3));
    } catch (DecodeException e) {
      return Parsed.problem("expected a JSON value after " + form.group(2) + " (a string in double quotes, a number, "
        + "true, false or null), got " + form.group(3));
    }
    if (expected instanceof JsonObject || expected instanceof JsonArray) {
      return Parsed.problem("expected a plain JSON value after " + form.group(2) + " (string, number, true, false or "
        + "null), got " + form.group(3));
    }
    return new Parsed(new HealthCondition(name, pointer.get(), "==".equals(form.group(2)), expected), null);
  }

  /** A parse: a condition or a problem. */
  record Parsed(HealthCondition condition, String problem) {
    static Parsed problem(String problem) {
      return new Parsed(null, problem);
    }
  }

  /** Why the condition does not hold on {@code body}, like {@code db: down (expected up)}; empty when it holds. */
  Optional<String> failure(Object body) {
    Object actual = JsonPointer.from(path).queryJsonOrDefault(body, MISSING);
    if (actual == MISSING) {
      return Optional.of(name + ": missing (" + path + ")");
    }
    boolean same = same(actual, expected);
    if (same == equal) {
      return Optional.empty();
    }
    return Optional.of(name + ": " + show(actual) + (equal ? " (expected " + show(expected) + ")"
      : " (expected anything but " + show(expected) + ")"));
  }

  private static boolean same(Object actual, Object expected) {
    if (actual instanceof Number a && expected instanceof Number e) {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(e.toString())) == 0;
    }
    return Objects.equals(actual, expected);
  }

  private static String show(Object value) {
    if (value instanceof JsonObject || value instanceof JsonArray) {
      return "an " + (value instanceof JsonObject ? "object" : "array");
    }
    return String.valueOf(value);
  }

  /** A JSON Pointer as is, or a plain JSONPath turned into one. */
  private static Optional<String> pointer(String path) {
    if (path.startsWith("/")) {
      try {
        JsonPointer.from(path);
        return Optional.of(path);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    if (!path.startsWith("$")) {
      return Optional.empty();
    }
    StringBuilder pointer = new StringBuilder();
    Matcher step = STEP.matcher(path).region(1, path.length());
    int at = 1;
    while (at < path.length()) {
      if (!step.find(at) || step.start() != at) {
        return Optional.empty();
      }
      String token = step.group(1) != null ? step.group(1) : step.group(2) != null ? step.group(2)
        : step.group(3) != null ? step.group(3) : step.group(4);
      pointer.append('/').append(token.replace("~", "~0").replace("/", "~1"));
      at = step.end();
    }
    return Optional.of(pointer.length() == 0 ? "" : pointer.toString());
  }
}
