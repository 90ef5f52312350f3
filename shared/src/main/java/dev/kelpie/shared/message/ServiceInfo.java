package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** A supervised service as its agent sees it: whether it should run, and the process running it, if any. */
public record ServiceInfo(String name, boolean wanted, Long pid, Instant startedAt, Integer port) {

  public boolean running() {
    return pid != null;
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
      port == null ? null : port.intValue());
  }
}
