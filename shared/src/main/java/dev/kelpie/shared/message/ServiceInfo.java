package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A supervised service as its agent sees it: whether it should run, and the process running it, if any.
 * {@code manager} is null when the agent starts and stops the service itself.
 */
public record ServiceInfo(String name, boolean wanted, Long pid, Instant startedAt, Integer port, Manager manager) {

  public ServiceInfo(String name, boolean wanted, Long pid, Instant startedAt, Integer port) {
    this(name, wanted, pid, startedAt, port, null);
  }

  /**
   * The host's own service manager that starts and stops the service for the agent: {@code type} is systemd,
   * supervisord or docker, {@code target} what it manages, as people say it ("systemd unit api.service"). Its own view
   * of the service, when the agent has asked: {@code state} in the manager's words (supervisord's statename, systemd's
   * "ActiveState (SubState)", Docker's State.Status), {@code pid} the main pid it names, {@code exitCode} the last exit
   * status it knows, {@code seenAt} when it said so; {@code problem} why the agent could not ask it last time (it
   * was unreachable or refused), null while it answers. Older agents send only type and target.
   */
  public record Manager(String type, String target, String state, Long pid, Integer exitCode, Instant seenAt,
                        String problem) {

    public Manager(String type, String target) {
      this(type, target, null, null, null, null, null);
    }

    /** The same manager, with what it says now. */
    public Manager saying(String state, Long pid, Integer exitCode, Instant seenAt) {
      return new Manager(type, target, state, pid, exitCode, seenAt, null);
    }

    /** The same manager, with what it said last, and why it could not be asked since. */
    public Manager failing(String why) {
      return new Manager(type, target, state, pid, exitCode, seenAt, why);
    }

    /** "supervisord: RUNNING (pid 1234)", or why it could not be asked; null before it was asked. */
    public String says() {
      if (problem != null) {
        return problem;
      }
      return state == null ? null : type + ": " + state + (pid != null ? " (pid " + pid + ")"
        : exitCode != null ? " (exit status " + exitCode + ")" : "");
    }

    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("type", type).put("target", target);
      if (state != null) {
        json.put("state", state);
      }
      if (pid != null) {
        json.put("pid", pid);
      }
      if (exitCode != null) {
        json.put("exitCode", exitCode);
      }
      if (seenAt != null) {
        json.put("seenAt", seenAt.toEpochMilli());
      }
      if (problem != null) {
        json.put("problem", problem);
      }
      return json;
    }

    public static Manager fromJson(JsonObject json) {
      Long exitCode = Json.optionalNumber(json, "exitCode");
      return new Manager(Json.string(json, "type"), Json.string(json, "target"), Json.optionalString(json, "state"),
        Json.optionalNumber(json, "pid"), exitCode == null ? null : exitCode.intValue(),
        Json.optionalInstant(json, "seenAt"), Json.optionalString(json, "problem"));
    }

    /** A manager read from {@code field}, which must be an object when present. */
    static Manager optional(JsonObject json, String field) {
      Object manager = json.getValue(field);
      if (manager != null && !(manager instanceof JsonObject)) {
        throw new MessageFormatException(field, "expected an object with type and target");
      }
      return manager == null ? null : Json.nested(field, () -> fromJson((JsonObject) manager));
    }
  }

  /** The same service with its manager's latest word; unchanged when there is none (an older agent's event). */
  public ServiceInfo withManager(Manager latest) {
    return latest == null ? this : new ServiceInfo(name, wanted, pid, startedAt, port, latest);
  }

  public boolean running() {
    return pid != null;
  }

  /** The same service with another process (or none), still under the same manager. */
  public ServiceInfo withProcess(boolean wanted, Long pid, Instant startedAt) {
    return new ServiceInfo(name, wanted, pid, startedAt, port, manager);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("wanted", wanted);
    if (pid != null) {
      json.put("pid", pid);
    }
    if (startedAt != null) {
      json.put("startedAt", startedAt.toEpochMilli());
    }
    if (port != null) {
      json.put("port", port);
    }
    if (manager != null) {
      json.put("manager", manager.toJson());
    }
    return json;
  }

  public static ServiceInfo fromJson(JsonObject json) {
    Long port = Json.optionalNumber(json, "port");
    Object wanted = json.getValue("wanted");
    if (!(wanted instanceof Boolean)) {
      throw new MessageFormatException("wanted", "expected true or false");
    }
    return new ServiceInfo(
      Json.string(json, "name"),
      (Boolean) wanted,
      Json.optionalNumber(json, "pid"),
      Json.optionalInstant(json, "startedAt"),
      port == null ? null : port.intValue(),
      Manager.optional(json, "manager"));
  }
}
