package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A step in a supervised service's life. {@code exitCode} and {@code signal} are set for exits (one of them when
 * known); {@code commandId} ties the steps of a kill or restart to the command that caused them. {@code manager}
 * (optional, additive) is the host's own manager's view of the service at that moment, for a service it runs.
 */
public record ProcessEvent(String agentId, long seq, String service, Instant time, ProcessEventType type, long pid,
                           Integer exitCode, String signal, String commandId, String detail,
                           ServiceInfo.Manager manager) implements Report {

  public static final String KIND = "event";

  public ProcessEvent(String agentId, long seq, String service, Instant time, ProcessEventType type, long pid,
                      Integer exitCode, String signal, String commandId, String detail) {
    this(agentId, seq, service, time, type, pid, exitCode, signal, commandId, detail, null);
  }

  /** The same event, with its manager's view of the service. */
  public ProcessEvent withManager(ServiceInfo.Manager view) {
    return new ProcessEvent(agentId, seq, service, time, type, pid, exitCode, signal, commandId, detail, view);
  }

  public static ProcessEvent of(String agentId, String service, Instant time, ProcessEventType type, long pid,
                                String commandId, String detail) {
    return new ProcessEvent(agentId, 0, service, time, type, pid, null, null, commandId, detail);
  }

  public static ProcessEvent exited(String agentId, String service, Instant time, long pid, Integer exitCode,
                                    String signal, String detail) {
    return new ProcessEvent(agentId, 0, service, time, ProcessEventType.EXITED, pid, exitCode, signal, null, detail);
  }

  @Override
  public ProcessEvent withSeq(long seq) {
    return new ProcessEvent(agentId, seq, service, time, type, pid, exitCode, signal, commandId, detail, manager);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("kind", KIND)
      .put("agentId", agentId)
      .put("seq", seq)
      .put("service", service)
      .put("time", time.toEpochMilli())
      .put("type", Json.wire(type))
      .put("pid", pid);
    if (exitCode != null) {
      json.put("exitCode", exitCode);
    }
    if (signal != null) {
      json.put("signal", signal);
    }
    if (commandId != null) {
      json.put("commandId", commandId);
    }
    if (detail != null) {
      json.put("detail", detail);
    }
    if (manager != null) {
      json.put("manager", manager.toJson());
    }
    return json;
  }

  public static ProcessEvent fromJson(JsonObject json) {
    Long exitCode = Json.optionalNumber(json, "exitCode");
    return new ProcessEvent(
      Json.string(json, "agentId"),
      Json.number(json, "seq"),
      Json.string(json, "service"),
      Json.instant(json, "time"),
      Json.enumValue(json, "type", ProcessEventType.class),
      Json.number(json, "pid"),
      exitCode == null ? null : exitCode.intValue(),
      Json.optionalString(json, "signal"),
      Json.optionalString(json, "commandId"),
      Json.optionalString(json, "detail"),
      ServiceInfo.Manager.optional(json, "manager"));
  }
}
