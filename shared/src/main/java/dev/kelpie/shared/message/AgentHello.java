package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first thing an agent sends on every connection: who it is, and what it watches and supervises. After it decided
 * on its own while no coordinator was there, {@code memory} (optional) holds the policy memory of the checks it acted
 * on, and {@code decidedUpTo} the last report it numbered before handing the decisions back: the reports up to there
 * were judged by the agent, and are recorded by the coordinator but not judged again.
 */
public record AgentHello(String agentId, String host, String version, List<CheckSpec> checks,
                         List<ServiceInfo> services, Map<String, CheckMemory> memory, long decidedUpTo) {

  public AgentHello {
    memory = memory == null ? Map.of() : Map.copyOf(memory);
  }

  public AgentHello(String agentId, String host, String version, List<CheckSpec> checks, List<ServiceInfo> services) {
    this(agentId, host, version, checks, services, Map.of(), 0);
  }

  public JsonObject toJson() {
    JsonArray checkArray = new JsonArray();
    checks.forEach(check -> checkArray.add(check.toJson()));
    JsonArray serviceArray = new JsonArray();
    services.forEach(service -> serviceArray.add(service.toJson()));
    JsonObject json = new JsonObject()
      .put("agentId", agentId)
      .put("host", host)
      .put("version", version)
      .put("checks", checkArray)
      .put("services", serviceArray);
    if (!memory.isEmpty()) {
      json.put("memory", CheckMemoryJson.toJson(memory)).put("decidedUpTo", decidedUpTo);
    }
    return json;
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
      List.copyOf(checks), List.copyOf(services), CheckMemoryJson.byCheck(json, "memory"),
      json.getValue("decidedUpTo") == null ? 0 : Json.number(json, "decidedUpTo"));
  }
}
