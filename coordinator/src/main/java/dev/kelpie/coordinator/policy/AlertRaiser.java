package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Raises alerts as facts, in the words of the alert payload (version {@value #VERSION}): one per state change of an
 * incident or an agent, never while the check or its host is silenced or in a maintenance window, and never about a
 * check whose agent is lost (its "agent lost" alert stands for them all). A recovery is raised only for an incident
 * whose opening was raised, so no receiver is told of the end of something it never heard of.
 */
final class AlertRaiser {

  static final String VERSION = "kelpie.alert/v1";

  private static final Logger log = LoggerFactory.getLogger(AlertRaiser.class);

  private final Duration repeatInterval;
  private final MaintenanceWindows maintenance;

  AlertRaiser(Duration repeatInterval, MaintenanceWindows maintenance) {
    this.repeatInterval = repeatInterval;
    this.maintenance = maintenance;
  }

  /** Whether an alert about this check may go out now; says why not in the log at debug level. */
  boolean allowed(TrackedAgent agent, TrackedCheck check, Instant now) {
    if (!agent.reachable()) {
      return false;
    }
    if (agent.silenced(check, now)) {
      log.atDebug().addKeyValue("agent", agent.id()).addKeyValue("check", check.id()).log("alert held: silenced");
      return false;
    }
    return maintenance.covering(agent.id(), agent.host(), check.spec().labels(), now) == null;
  }

  boolean agentAllowed(TrackedAgent agent, Instant now) {
    return !(agent.silencedUntil() != null && agent.silencedUntil().isAfter(now))
      && maintenance.covering(agent.id(), agent.host(), Map.of(), now) == null;
  }

  /** Whether an open incident is due for another alert: its opening was held back, or the repeat interval ran out. */
  boolean due(TrackedCheck check, Instant now) {
    return check.incident() != null && (check.lastAlertAt() == null
      || !repeatInterval.isZero() && !now.isBefore(check.lastAlertAt().plus(repeatInterval)));
  }

  Facts.Alert opened(TrackedAgent agent, TrackedCheck check, Instant now) {
    check.incidentAlerted(true, now);
    check.alertSeverity("warning");
    return checkAlert("incident_opened", "firing", "warning", agent, check, now,
      check.id() + " on " + hostOf(agent) + " failing: " + check.incident().reason(), null);
  }

  Facts.Alert stillOpen(TrackedAgent agent, TrackedCheck check, Instant now) {
    check.incidentAlerted(true, now);
    Duration open = Duration.between(check.incident().openedAt(), now);
    return checkAlert("still_open", "firing", severityOf(check), agent, check, now,
      check.id() + " on " + hostOf(agent) + " still failing after " + human(open) + ": " + check.state().reason(),
      new JsonObject().put("openForMs", open.toMillis()));
  }

  Facts.Alert gaveUp(TrackedAgent agent, TrackedCheck check, Instant now) {
    check.incidentAlerted(true, now);
    check.alertSeverity("critical");
    return checkAlert("gave_up", "firing", "critical", agent, check, now,
      "gave up on " + check.id() + " on " + hostOf(agent) + ": " + check.state().reason()
        + "; a person must act and reset the check", null);
  }

  Facts.Alert actionTaken(TrackedAgent agent, TrackedCheck check, Command command, Instant now) {
    return checkAlert("action_taken", "firing", "warning", agent, check, now,
      command.action().name().toLowerCase() + " of " + command.service() + " on " + hostOf(agent) + ": "
        + command.reason(),
      new JsonObject().put("commandId", command.id()).put("action", command.action().name().toLowerCase()));
  }

  Facts.Alert recovered(TrackedAgent agent, TrackedCheck check, Facts.Incident incident, Instant now) {
    Duration open = Duration.between(incident.openedAt(), now);
    Facts.Alert alert = checkAlert("recovered", "resolved", severityOf(check), agent, check, now,
      check.id() + " on " + hostOf(agent) + " recovered after " + human(open), new JsonObject()
        .put("durationMs", open.toMillis()));
    alert.body().put("incidentId", incident.id());
    check.incidentAlerted(false, null);
    return alert;
  }

  Facts.Alert agentLost(TrackedAgent agent, Instant now, String why) {
    return agentAlert("agent_lost", "firing", agent, now, "agent " + agent.id() + " on " + hostOf(agent)
      + " lost: " + why + "; its checks are not acted on");
  }

  Facts.Alert agentBack(TrackedAgent agent, Instant now) {
    return agentAlert("agent_back", "resolved", agent, now, "agent " + agent.id() + " on " + hostOf(agent)
      + " is back");
  }

  private static String severityOf(TrackedCheck check) {
    return check.alertSeverity();
  }

  private Facts.Alert checkAlert(String kind, String status, String severity, TrackedAgent agent,
                                 TrackedCheck check, Instant now, String summary, JsonObject details) {
    JsonArray evidence = new JsonArray();
    for (ProbeResult result : check.recentResults()) {
      evidence.add(new JsonObject()
        .put("time", result.time().toString())
        .put("outcome", result.outcome().name().toLowerCase())
        .put("latencyMs", result.latency().toMillis())
        .put("detail", result.detail()));
    }
    JsonObject body = base(kind, status, severity, agent, now, summary)
      .put("incidentId", check.incident() == null ? null : check.incident().id())
      .put("checkId", check.id())
      .put("service", check.service())
      .put("labels", new JsonObject(new TreeMap<>(check.spec().labels())))
      .put("details", (details == null ? new JsonObject() : details)
        .put("reason", check.state().reason())
        .put("phase", check.state().phase().name().toLowerCase())
        .put("evidence", evidence));
    return new Facts.Alert(body.getString("id"), now, body);
  }

  private static Facts.Alert agentAlert(String kind, String status, TrackedAgent agent, Instant now,
                                        String summary) {
    JsonObject body = base(kind, status, "critical", agent, now, summary)
      .put("labels", new JsonObject())
      .put("details", new JsonObject().put("lastSeen", agent.lastSeen() == null ? null
        : agent.lastSeen().toString()));
    return new Facts.Alert(body.getString("id"), now, body);
  }

  private static JsonObject base(String kind, String status, String severity, TrackedAgent agent, Instant now,
                                 String summary) {
    return new JsonObject()
      .put("id", UUID.randomUUID().toString())
      .put("kind", kind)
      .put("status", status)
      .put("severity", severity)
      .put("raisedAt", now.toString())
      .put("agentId", agent.id())
      .put("host", hostOf(agent))
      .put("summary", summary);
  }

  private static String hostOf(TrackedAgent agent) {
    return agent.host() == null ? agent.id() : agent.host();
  }

  private static String human(Duration duration) {
    return dev.kelpie.shared.policy.Durations.human(duration);
  }
}
