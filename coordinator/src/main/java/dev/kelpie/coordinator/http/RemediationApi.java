package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.access.Caller;
import dev.kelpie.coordinator.store.History;
import dev.kelpie.coordinator.store.HistoryReader;
import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code POST /api/agents/{agentId}/checks/{checkId}/remediate}: the policy sends the check's agent a remediate command
 * (recorded with the caller's name); the answer then waits for the agent's result as stored in the actions, so a
 * person sees the rows a dry run lists (or a real run changed) at once. No answer in time: 202 with the command id.
 */
final class RemediationApi {

  private static final Duration WAIT = Duration.ofSeconds(8);
  private static final long POLL_MILLIS = 200;

  private final Vertx vertx;
  private final HistoryReader history;

  RemediationApi(Vertx vertx, HistoryReader history) {
    this.vertx = vertx;
    this.history = history;
  }

  void mount(RouterBuilder builder) {
    builder.getRoute("remediateCheck").addHandler(this::remediate);
  }

  private void remediate(RoutingContext ctx) {
    Caller caller = Gatekeeper.caller(ctx);
    JsonObject body = ctx.body() == null || ctx.body().isEmpty() ? new JsonObject() : ctx.body().asJsonObject();
    String agentId = ctx.pathParam("agentId");
    String checkId = ctx.pathParam("checkId");
    JsonObject request = new JsonObject().put("action", "remediate").put("agentId", agentId).put("checkId", checkId)
      .put("dryRun", body.getBoolean("dryRun", false)).put("reason", body.getString("reason"))
      .put("by", caller.name());
    Instant asked = Instant.now();
    vertx.eventBus().<JsonObject>request(Addresses.OPERATOR, request)
      .compose(reply -> answer(agentId, checkId, reply.body().getString("commandId"), asked, asked.plus(WAIT))
        .map(found -> found == null ? reply.body() : found))
      .onSuccess(answer -> {
        String status = answer.getString("status");
        if (status == null) {
          ctx.response().setStatusCode(202);
          ctx.json(answer);
        } else if ("done".equals(status)) {
          ctx.json(answer);
        } else {
          Problems.send(ctx, 502, "agent_refused", "agent '" + agentId + "' answered " + status + ": "
            + answer.getString("detail") + " (action " + answer.getString("commandId") + ")");
        }
      })
      .onFailure(failure -> {
        if (failure instanceof ReplyException refused && refused.failureCode() >= 400) {
          int code = refused.failureCode();
          Problems.send(ctx, code, code == 404 ? "not_found" : code == 409 ? "conflict" : "bad_request",
            refused.getMessage());
        } else {
          Problems.send(ctx, 503, "policy_unavailable", "the coordinator's policy did not answer: "
            + failure.getMessage());
        }
      });
  }

  /** The agent's answer once stored, or null when it has not come by {@code deadline}. */
  private Future<JsonObject> answer(String agentId, String checkId, String commandId, Instant asked,
                                    Instant deadline) {
    Promise<JsonObject> found = Promise.promise();
    poll(agentId, checkId, commandId, asked, deadline, found);
    return found.future();
  }

  private void poll(String agentId, String checkId, String commandId, Instant asked, Instant deadline,
                    Promise<JsonObject> found) {
    HistoryReader.Page page = new HistoryReader.Page(asked.minusSeconds(60), Instant.now().plusSeconds(60), 50, null);
    history.actions(agentId, checkId, page).onComplete(read -> {
      History.Action action = read.succeeded() ? read.result().stream()
        .filter(a -> commandId.equals(a.commandId()) && a.status() != null).findFirst().orElse(null) : null;
      if (action != null) {
        JsonObject answer = new JsonObject().put("agentId", agentId).put("checkId", checkId)
          .put("commandId", commandId).put("status", action.status()).put("detail", action.detail());
        JsonObject remediation = HistoryJson.action(action).getJsonObject("remediation");
        found.complete(remediation == null ? answer : answer.put("remediation", remediation));
      } else if (Instant.now().isAfter(deadline)) {
        found.complete(null);
      } else {
        vertx.setTimer(POLL_MILLIS, id -> poll(agentId, checkId, commandId, asked, deadline, found));
      }
    });
  }
}
