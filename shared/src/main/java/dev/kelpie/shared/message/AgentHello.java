package dev.kelpie.shared.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** The first thing an agent sends on every connection: who it is, and what it watches and supervises. */
public record AgentHello(String agentId, String host, String version, List<CheckSpec> checks,
                         List<ServiceInfo> services) {

  public JsonObject toJson() {
    JsonArray checkArray = new JsonArray();
    checks.forEach(check -> checkArray.add(check.toJson()));
    JsonArray serviceArray = new JsonArray();
    services.forEach(service -> serviceArray.add(service.toJson()));
    return new JsonObject()
      .put("agentId", agentId)
      .put("host", host)
      .put("version", version)
      .put("checks", checkArray)
      .put("services", serviceArray);
  }

  public static AgentHello fromJson(JsonObject json) {
    JsonArray checkArray = Json.array(json, "checks");
    List<CheckSpec> checks = new ArrayList<>();
    for (int i = 0; i < checkArray.size(); i++) {
      JsonObject item = Json.element(checkArray, "checks", i);
      checks.add(Json.nested("checks[" + i + "]", () -> CheckSpec.fromJson(item)));
    }
    JsonArray serviceArray = Json.array(json, "services");
    List<ServiceInfo> services = new ArrayList<>();
    for (int i = 0; i < serviceArray.size(); i++) {
      JsonObject item = Json.element(serviceArray, "services", i);
      services.add(Json.nested("services[" + i + "]", () -> ServiceInfo.fromJson(item)));
    }
    return new AgentHello(Json.string(json, "agentId"), Json.string(json, "host"), Json.string(json, "version"),
      List.copyOf(checks), List.copyOf(services));
  }
}
