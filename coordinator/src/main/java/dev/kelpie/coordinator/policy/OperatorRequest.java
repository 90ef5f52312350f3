package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.config.DurationText;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Locale;

/**
 * What a person asks of the fleet, from the dashboard or the API: restart, stop or start a service, reset a check
 * that gave up, silence or unsilence a check or a whole agent. {@code by} names who asked; it goes into history.
 */
public record OperatorRequest(Kind kind, String agentId, String service, String checkId, Duration duration,
                              String by, String reason, boolean dryRun) {

  public enum Kind { RESTART, STOP, START, RESET, SILENCE, UNSILENCE, DUMP, REMEDIATE }

  public OperatorRequest(Kind kind, String agentId, String service, String checkId, Duration duration, String by,
                         String reason) {
    this(kind, agentId, service, checkId, duration, by, reason, false);
  }

  /** A request refused, with the HTTP-like code that says whose fault it is: 400, 404 or 409. */
  public static final class Refused extends RuntimeException {

    public static final int BAD_REQUEST = 400;
    public static final int NOT_FOUND = 404;
    public static final int CONFLICT = 409;

    private final int code;

    public Refused(int code, String message) {
      super(message);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** The longest silence one request may set: a forgotten silence must not hide a host for good. */
  public static final Duration LONGEST_SILENCE = Duration.ofDays(30);

  public static OperatorRequest fromJson(JsonObject json) {
    if (json == null) {
      throw bad("the request has no body");
    }
    String action = text(json, "action", true);
    Kind kind;
    try {
      kind = Kind.valueOf(action.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("action '" + action + "' is unknown; expected restart, stop, start, dump, reset, silence, unsilence"
        + " or remediate");
    }
    String agentId = text(json, "agentId", true);
    boolean onService = kind == Kind.RESTART || kind == Kind.STOP || kind == Kind.START || kind == Kind.DUMP;
    String service = text(json, "service", onService);
    String checkId = text(json, "checkId", kind == Kind.RESET || kind == Kind.REMEDIATE);
    Object dryRun = json.getValue("dryRun");
    if (dryRun != null && !(dryRun instanceof Boolean)) {
      throw bad("'dryRun' must be true or false");
    }
    Duration duration = null;
    if (kind == Kind.SILENCE) {
      String given = text(json, "duration", true);
      duration = DurationText.parse(given).orElseThrow(() -> bad("duration '" + given + "': " + DurationText.EXPECTED));
      if (duration.isZero() || duration.compareTo(LONGEST_SILENCE) > 0) {
        throw bad("duration '" + given + "' must be more than 0 and at most 30d");
      }
    }
    return new OperatorRequest(kind, agentId, service, checkId, duration, text(json, "by", true),
      text(json, "reason", false), Boolean.TRUE.equals(dryRun));
  }

  public String action() {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  private static String text(JsonObject json, String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null || (value instanceof String s && s.isBlank())) {
      if (required) {
        throw bad("'" + field + "' is missing");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw bad("'" + field + "' must be a string");
    }
    return s;
  }

  private static Refused bad(String message) {
    return new Refused(Refused.BAD_REQUEST, message);
  }
}
