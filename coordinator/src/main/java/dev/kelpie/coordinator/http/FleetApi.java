package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.access.Caller;
import dev.kelpie.coordinator.http.Gatekeeper;
import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The fleet now (from the policy's state, over the event bus) and what operators do to it: restart, stop, start,
 * reset, silence. Actions go to the policy as {@link dev.kelpie.coordinator.policy.OperatorRequest}s, which records
 * them with the caller's name; its refusals come back as 400, 404 or 409 with its words.
 */
final class FleetApi {

  private final Vertx vertx;

  FleetApi(Vertx vertx) {
    this.vertx = vertx;
  }

  void mount(RouterBuilder builder) {
    builder.getRoute("listChecks").addHandler(this::listChecks);
    builder.getRoute("listAgents").addHandler(ctx -> fleet(null, false)
      .onSuccess(fleet -> ctx.json(new JsonObject().put("agents", fleet.getJsonArray("agents"))))
      .onFailure(failure -> busy(ctx, failure)));
    builder.getRoute("getAgent").addHandler(this::getAgent);
    builder.getRoute("getCheck").addHandler(this::getCheck);
    builder.getRoute("serviceAction").addHandler(ctx -> operate(ctx, 202, new JsonObject()
      .put("action", ctx.pathParam("action")).put("service", ctx.pathParam("service"))));
    builder.getRoute("resetCheck").addHandler(ctx -> operate(ctx, 200, new JsonObject().put("action", "reset")
      .put("checkId", ctx.pathParam("checkId"))));
    builder.getRoute("silenceAgent").addHandler(ctx -> operate(ctx, 200, silence(ctx)));
    builder.getRoute("unsilenceAgent").addHandler(ctx -> operate(ctx, 200, new JsonObject()
      .put("action", "unsilence")));
    builder.getRoute("silenceCheck").addHandler(ctx -> operate(ctx, 200, silence(ctx)
      .put("checkId", ctx.pathParam("checkId"))));
    builder.getRoute("unsilenceCheck").addHandler(ctx -> operate(ctx, 200, new JsonObject()
      .put("action", "unsilence").put("checkId", ctx.pathParam("checkId"))));
    builder.getRoute("getRules").addHandler(ctx -> fleet(null, false)
      .onSuccess(fleet -> ctx.json(fleet.getJsonObject("rules")))
      .onFailure(failure -> busy(ctx, failure)));
    builder.getRoute("releaseHold").addHandler(ctx -> operate(ctx, 200, new JsonObject().put("action", "release")
      .put("cause", ctx.pathParam("cause"))));
  }

  private void listChecks(RoutingContext ctx) {
    boolean detail = !"summary".equals(ctx.queryParams().get("view"));
    String agent = ctx.queryParams().get("agent");
    fleet(agent, detail).map(fleet -> ViewerRedaction.forCaller(ctx, fleet)).onSuccess(fleet -> {
      Predicate<JsonObject> wanted = filter(ctx, fleet.getJsonArray("agents"));
      JsonArray checks = new JsonArray();
      fleet.getJsonArray("checks").forEach(item -> {
        if (wanted.test((JsonObject) item)) {
          checks.add(item);
        }
      });
      ctx.json(fleet.put("checks", checks));
    }).onFailure(failure -> busy(ctx, failure));
  }

  /** The filters of GET /api/checks: state as shown (silenced first), a label k=v, free text; all must hold. */
  private static Predicate<JsonObject> filter(RoutingContext ctx, JsonArray agents) {
    String state = ctx.queryParams().get("state");
    String label = ctx.queryParams().get("label");
    String text = ctx.queryParams().get("q");
    Map<String, String> hosts = new java.util.HashMap<>();
    agents.forEach(item -> {
      JsonObject agent = (JsonObject) item;
      hosts.put(agent.getString("agentId"), String.valueOf(agent.getString("host")));
    });
    Predicate<JsonObject> wanted = check -> true;
    if (state != null) {
      wanted = wanted.and(check -> state.equals(check.getString("shown")));
    }
    if (label != null) {
      int eq = label.indexOf('=');
      String key = label.substring(0, eq);
      String value = label.substring(eq + 1);
      wanted = wanted.and(check -> value.equals(check.getJsonObject("labels", new JsonObject()).getString(key)));
    }
    if (text != null && !text.isBlank()) {
      String needle = text.toLowerCase(Locale.ROOT);
      wanted = wanted.and(check -> (check.getString("agentId") + " " + hosts.get(check.getString("agentId")) + " "
        + check.getString("checkId") + " " + check.getJsonObject("labels", new JsonObject()).encode())
        .toLowerCase(Locale.ROOT).contains(needle));
    }
    return wanted;
  }

  private void getAgent(RoutingContext ctx) {
    String agentId = ctx.pathParam("agentId");
    fleet(agentId, true).map(fleet -> ViewerRedaction.forCaller(ctx, fleet)).onSuccess(fleet -> {
      if (fleet.getJsonArray("agents").isEmpty()) {
        Problems.send(ctx, 404, "not_found", "no agent '" + agentId + "'");
      } else {
        ctx.json(new JsonObject().put("agent", fleet.getJsonArray("agents").getJsonObject(0))
          .put("checks", fleet.getJsonArray("checks")));
      }
    }).onFailure(failure -> busy(ctx, failure));
  }

  private void getCheck(RoutingContext ctx) {
    String agentId = ctx.pathParam("agentId");
    String checkId = ctx.pathParam("checkId");
    fleet(agentId, true).map(fleet -> ViewerRedaction.forCaller(ctx, fleet)).onSuccess(fleet -> {
      JsonObject found = fleet.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> checkId.equals(check.getString("checkId"))).findFirst().orElse(null);
      if (found == null) {
        Problems.send(ctx, 404, "not_found", fleet.getJsonArray("agents").isEmpty() ? "no agent '" + agentId + "'"
          : "agent '" + agentId + "' has no check '" + checkId + "'");
      } else {
        ctx.json(found);
      }
    }).onFailure(failure -> busy(ctx, failure));
  }

  private static JsonObject silence(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return new JsonObject().put("action", "silence").put("duration", body.getString("duration"))
      .put("reason", body.getString("reason"));
  }

  /** Hands the request to the policy, which decides and records it with who asked; its refusal is the answer. */
  private void operate(RoutingContext ctx, int status, JsonObject request) {
    Caller caller = Gatekeeper.caller(ctx);
    JsonObject body = ctx.body() == null || ctx.body().isEmpty() ? new JsonObject() : ctx.body().asJsonObject();
    if (!request.containsKey("reason") && body.getString("reason") != null) {
      request.put("reason", body.getString("reason"));
    }
    if (ctx.pathParam("agentId") != null) {
      request.put("agentId", ctx.pathParam("agentId"));
    }
    request.put("by", caller.name());
    vertx.eventBus().<JsonObject>request(Addresses.OPERATOR, request).onSuccess(reply -> {
      ctx.response().setStatusCode(status);
      ctx.json(reply.body());
    }).onFailure(failure -> {
      if (failure instanceof ReplyException refused && refused.failureCode() >= 400) {
        int code = refused.failureCode();
        Problems.send(ctx, code, code == 404 ? "not_found" : code == 409 ? "conflict" : "bad_request",
          refused.getMessage());
      } else {
        busy(ctx, failure);
      }
    });
  }

  private Future<JsonObject> fleet(String agentId, boolean detail) {
    JsonObject ask = new JsonObject().put("detail", detail);
    if (agentId != null) {
      ask.put("agentId", agentId);
    }
    return vertx.eventBus().<JsonObject>request(Addresses.POLICY_SNAPSHOT, ask).map(reply -> reply.body());
  }

  private static void busy(RoutingContext ctx, Throwable failure) {
    Problems.send(ctx, 503, "policy_unavailable", "the coordinator's policy did not answer: " + failure.getMessage()
      + " (at " + Instant.now() + ")");
  }
}
