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
   * supervisord or docker, {@code target} what it manages, as people say it ("systemd unit api.service").
   */
  public record Manager(String type, String target) {

    public JsonObject toJson() {
      return new JsonObject().put("type", type).put("target", target);
    }

    public static Manager fromJson(JsonObject json) {
      return new Manager(Json.string(json, "type"), Json.string(json, "target"));
    }
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
    Object manager = json.getValue("manager");
    if (manager != null && !(manager instanceof JsonObject)) {
      throw new MessageFormatException("manager", "expected an object with type and target");
    }
    return new ServiceInfo(
      Json.string(json, "name"),
      (Boolean) wanted,
      Json.optionalNumber(json, "pid"),
      Json.optionalInstant(json, "startedAt"),
      port == null ? null : port.intValue(),
      manager == null ? null : Manager.fromJson((JsonObject) manager));
  }
}
