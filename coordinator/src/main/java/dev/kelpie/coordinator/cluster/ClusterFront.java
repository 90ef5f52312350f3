package dev.kelpie.coordinator.cluster;

import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP API's way into a cluster of coordinators, on each node: an operator's request goes to the node that owns
 * its agent (by the agent's lease; this node when no one holds it), over the clustered event bus, and is recorded
 * there with the caller's name it carries; a fleet snapshot asks every member for the agents it holds and merges
 * them, so any node shows the whole fleet. Alone, the policy answers these addresses itself and this is not deployed.
 */
public final class ClusterFront extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ClusterFront.class);
  private static final DeliveryOptions ACROSS = new DeliveryOptions().setSendTimeout(10_000);
  private static final DeliveryOptions SNAPSHOT = new DeliveryOptions().setSendTimeout(3_000);

  private final Leases leases;
  private final ClusterManager cluster;

  public ClusterFront(Leases leases, ClusterManager cluster) {
    this.leases = leases;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    return Future.all(
      vertx.eventBus().<JsonObject>localConsumer(Addresses.OPERATOR, this::onOperator).completion(),
      vertx.eventBus().<JsonObject>localConsumer(Addresses.POLICY_SNAPSHOT, this::onSnapshot).completion());
  }

  private void onOperator(Message<JsonObject> message) {
    String agentId = message.body() == null ? null : message.body().getString("agentId");
    Future<String> owner = agentId == null ? Future.succeededFuture(leases.node())
      : leases.holder(agentId).map(held -> held.map(Lease::ownerNode).orElse(leases.node()));
    owner.compose(node -> {
      if (!node.equals(leases.node())) {
        log.atInfo().addKeyValue("agent", agentId).log("operator request by {} forwarded to the owner, node {}",
          message.body().getString("by"), node);
      }
      return vertx.eventBus().<JsonObject>request(Addresses.nodeOperator(node), message.body(), ACROSS);
    }).onSuccess(reply -> message.reply(reply.body())).onFailure(failure -> {
      if (failure instanceof ReplyException refused && refused.failureCode() >= 400) {
        message.fail(refused.failureCode(), refused.getMessage());
      } else {
        message.fail(503, "the coordinator owning the agent did not answer: " + failure.getMessage());
      }
    });
  }

  private void onSnapshot(Message<JsonObject> message) {
    List<String> nodes = new ArrayList<>(cluster.getNodes());
    String self = leases.node();
    if (!nodes.contains(self)) {
      nodes.add(self);
    }
    Map<String, Future<JsonObject>> asked = new HashMap<>();
    nodes.forEach(node -> asked.put(node, vertx.eventBus().<JsonObject>request(Addresses.nodeSnapshot(node),
      message.body(), SNAPSHOT).map(Message::body)));
    Future.join(new ArrayList<>(asked.values())).onComplete(done -> {
      JsonObject own = asked.get(self).succeeded() ? asked.get(self).result() : null;
      if (own == null) {
        message.fail(503, "this node's policy did not answer");
        return;
      }
      message.reply(merge(self, own, asked));
    });
  }

  /**
   * This node's snapshot with every other node's agents and checks added. An agent more than one node remembers is
   * shown as the node it is connected to sees it; each agent names its {@code coordinator}.
   */
  static JsonObject merge(String self, JsonObject own, Map<String, Future<JsonObject>> asked) {
    Map<String, JsonObject> agents = new HashMap<>();
    Map<String, String> shownBy = new HashMap<>();
    JsonArray answered = new JsonArray();
    int inFlight = 0;
    List<String> order = new ArrayList<>(asked.keySet());
    order.sort(Comparator.comparing((String node) -> !node.equals(self)).thenComparing(node -> node));
    for (String node : order) {
      Future<JsonObject> reply = asked.get(node);
      if (reply.failed()) {
        continue;
      }
      answered.add(node);
      inFlight += reply.result().getInteger("commandsInFlight", 0);
      for (Object item : reply.result().getJsonArray("agents", new JsonArray())) {
        JsonObject agent = (JsonObject) item;
        String id = agent.getString("agentId");
        JsonObject before = agents.get(id);
        if (before == null || !before.getBoolean("connected", false) && agent.getBoolean("connected", false)) {
          agents.put(id, agent.copy().put("coordinator", node));
          shownBy.put(id, node);
        }
      }
    }
    List<JsonObject> checks = new ArrayList<>();
    for (String node : order) {
      Future<JsonObject> reply = asked.get(node);
      if (reply.succeeded()) {
        reply.result().getJsonArray("checks", new JsonArray()).forEach(item -> {
          if (node.equals(shownBy.get(((JsonObject) item).getString("agentId")))) {
            checks.add((JsonObject) item);
          }
        });
      }
    }
    JsonArray sorted = new JsonArray();
    agents.keySet().stream().sorted().forEach(id -> sorted.add(agents.get(id)));
    checks.sort(Comparator.comparing(check -> check.getString("agentId")));
    return own.copy().put("agents", sorted).put("checks", new JsonArray(new ArrayList<>(checks))).put("commandsInFlight", inFlight)
      .put("coordinators", answered);
  }
}
