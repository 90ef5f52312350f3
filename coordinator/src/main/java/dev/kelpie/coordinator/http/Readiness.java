package dev.kelpie.coordinator.http;

import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BooleanSupplier;

/**
 * {@code GET /ready}: 200 when the coordinator can serve, else 503; the body names each dependency and its state.
 * Each probe has a short timeout, so a stuck dependency makes the answer "down", never a hung request.
 */
final class Readiness {

  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(1000);

  private final Vertx vertx;
  private final BooleanSupplier gatewayListening;

  Readiness(Vertx vertx, BooleanSupplier gatewayListening) {
    this.vertx = vertx;
    this.gatewayListening = gatewayListening;
  }

  void handle(RoutingContext ctx) {
    Future<JsonObject> policy = vertx.eventBus().<JsonObject>request(Addresses.POLICY_PING, null, QUICK)
      .map(Message::body)
      .otherwise(failure -> new JsonObject().put("failure", failure.getMessage()));
    policy.onSuccess(reply -> {
      boolean answered = !reply.containsKey("failure");
      JsonObject dependencies = new JsonObject()
        .put("policy", answered ? new JsonObject().put("state", "up").put("epoch", reply.getLong("epoch"))
          : new JsonObject().put("state", "down").put("reason", reply.getString("failure")))
        .put("gateway", new JsonObject().put("state", gatewayListening.getAsBoolean() ? "up" : "down"))
        .put("store", answered ? reply.getJsonObject("store")
          : new JsonObject().put("state", "unknown").put("reason", "the policy did not answer"));
      boolean ready = dependencies.stream().allMatch(e -> "up".equals(((JsonObject) e.getValue()).getString("state")));
      ctx.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", ready ? "ready" : "not ready").put("dependencies", dependencies).encode());
    });
  }
}
