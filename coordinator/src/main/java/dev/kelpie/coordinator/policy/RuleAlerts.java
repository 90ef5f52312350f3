package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/** The fleet rules' alerts, in the words of the alert payload: a suspected shared cause, a flapping service. */
final class RuleAlerts {

  private RuleAlerts() {
  }

  static String host(TrackedAgent agent, String fallback) {
    return agent == null || agent.host() == null ? fallback : agent.host();
  }

  static JsonObject causeJson(CorrelatedFailures.Cause cause) {
    return new JsonObject().put("cause", cause.key()).put("name", cause.name()).put("since", cause.since().toString())
      .put("failingHosts", cause.failing()).put("hosts", cause.of()).put("overriddenBy", cause.overriddenBy());
  }

  static Facts.Alert fleetAlert(String kind, String status, String severity, String summary,
                                        JsonObject details, Instant now) {
    JsonObject body = new JsonObject()
      .put("id", UUID.randomUUID().toString())
      .put("kind", kind)
      .put("status", status)
      .put("severity", severity)
      .put("raisedAt", now.toString())
      .put("agentId", "fleet")
      .put("host", "fleet")
      .put("summary", summary)
      .put("labels", new JsonObject())
      .put("details", details);
    return new Facts.Alert(body.getString("id"), now, body);
  }

  static Facts.Alert flapAlert(String status, TrackedAgent agent, FlappingServices.Flap flap, String summary,
                                       Instant now) {
    Facts.Alert alert = fleetAlert("flapping", status, "critical", summary, new JsonObject()
      .put("service", flap.service()).put("since", flap.since().toString()).put("restarts", flap.restarts())
      .put("notBefore", flap.notBefore().toString()), now);
    alert.body().put("agentId", flap.agentId()).put("host", host(agent, flap.agentId()))
      .put("service", flap.service());
    return alert;
  }
}
