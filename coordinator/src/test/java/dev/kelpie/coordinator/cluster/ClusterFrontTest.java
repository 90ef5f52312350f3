package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterFrontTest {

  private static JsonObject agent(String id, boolean connected) {
    return new JsonObject().put("agentId", id).put("connected", connected);
  }

  private static JsonObject check(String agentId, String id) {
    return new JsonObject().put("agentId", agentId).put("checkId", id);
  }

  private static JsonObject snapshot(int inFlight, JsonArray agents, JsonArray checks) {
    return new JsonObject().put("epoch", 7).put("commandsInFlight", inFlight).put("agents", agents)
      .put("checks", checks);
  }

  @Test
  @DisplayName("the fleet of every node that answered: an agent as the node it is connected to sees it, its checks "
    + "from there, each agent naming its coordinator, commands in flight summed")
  void merged() {
    Map<String, Future<JsonObject>> asked = new LinkedHashMap<>();
    asked.put("b", Future.succeededFuture(snapshot(1,
      new JsonArray().add(agent("web-2", false)).add(agent("web-1", true)),
      new JsonArray().add(check("web-2", "stale")).add(check("web-1", "http")))));
    asked.put("c", Future.succeededFuture(snapshot(2, new JsonArray().add(agent("web-2", true)),
      new JsonArray().add(check("web-2", "http")))));
    asked.put("d", Future.failedFuture("gone"));

    JsonObject merged = ClusterFront.merge("b", asked.get("b").result(), asked);

    assertThat(merged.getJsonArray("agents").stream().map(a -> ((JsonObject) a).getString("agentId")
      + "@" + ((JsonObject) a).getString("coordinator"))).containsExactly("web-1@b", "web-2@c");
    assertThat(merged.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("agentId") + "/"
      + ((JsonObject) c).getString("checkId"))).containsExactly("web-1/http", "web-2/http");
    assertThat(merged.getInteger("commandsInFlight")).isEqualTo(3);
    assertThat(merged.getJsonArray("coordinators")).containsExactly("b", "c");
    assertThat(merged.getInteger("epoch")).isEqualTo(7);
  }
}
