package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.Evidence;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.Durations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Raises alerts as values, in the words of the alert payload (version {@value #VERSION}): one per state change of an
 * incident or an agent, never while the check or its host is silenced or in a maintenance window, and never about a
 * check whose agent is lost (its "agent lost" alert stands for them all). A recovery is raised only for an incident
 * whose opening was raised, so no receiver is told of the end of something it never heard of. It remembers what it
 * raised (per open incident, per lost agent) itself.
 */
final class AlertRaiser {

  static final String VERSION = "kelpie.alert/v1";

  private static final Logger log = LoggerFactory.getLogger(AlertRaiser.class);

  /** An open incident whose opening was alerted: when it was last alerted, and at which severity. */
  private record Alerted(Instant at, String severity) {
  }

  private final Duration repeatInterval;
  private final MaintenanceWindows maintenance;
  private final Map<String, Alerted> alertedIncidents;
  private final Set<String> lostAlerted;
  private final Map<String, Ordered> actionsAlerted;

  /** A restart whose {@code action_taken} went out: its answer's evidence follows as {@code action_evidence}. */
  private record Ordered(String checkId, String incidentId) {
  }

  /** Texts of the evidence cut to this in an alert; the whole is in the API. */
  static final int EVIDENCE_CHARS = 2000;
  private static final int REMEMBERED_ACTIONS = 1000;

  AlertRaiser(Duration repeatInterval, MaintenanceWindows maintenance) {
    this(repeatInterval, maintenance, new HashMap<>(), new HashSet<>(), new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Ordered> eldest) {
        return size() > REMEMBERED_ACTIONS;   // commands never answered are forgotten, oldest first
      }
    });
  }

  private AlertRaiser(Duration repeatInterval, MaintenanceWindows maintenance, Map<String, Alerted> alertedIncidents,
                      Set<String> lostAlerted, Map<String, Ordered> actionsAlerted) {
    this.repeatInterval = repeatInterval;
    this.maintenance = maintenance;
    this.alertedIncidents = alertedIncidents;
    this.lostAlerted = lostAlerted;
    this.actionsAlerted = actionsAlerted;
  }

  /** The same memory of what was raised, with other settings. */
  AlertRaiser with(Duration repeat, MaintenanceWindows windows) {
    return new AlertRaiser(repeat, windows, alertedIncidents, lostAlerted, actionsAlerted);
  }

  /** After a coordinator restart: an incident still open was alerted before (so its recovery is raised). */
  void restored(Facts.Incident open, Instant now) {
    alertedIncidents.put(open.id(), new Alerted(now, "warning"));
  }

  /** The alerts that what the journal saw of the agent's incidents calls for. */
  void incidents(List<Facts.Alert> out, TrackedAgent agent, List<Journal.Change> changes, Instant now) {
    for (Journal.Change change : changes) {
      TrackedCheck check = change.check();
      Facts.Incident incident = change.incident();
      switch (change.kind()) {
        case OPENED -> {
          if (allowed(agent, check, now)) {
            out.add(opened(agent, check, incident, now));
          }
        }
        case CLOSED -> {
          Alerted alerted = alertedIncidents.remove(incident.id());
          if (alerted != null) {
            out.add(recovered(agent, check, incident, alerted.severity(), now));
          }
        }
        case GAVE_UP -> {
          if (allowed(agent, check, now)) {
            out.add(gaveUp(agent, check, incident, now));
          }
        }
      }
    }
  }

  /** A restart a check's decision ordered. */
  void actionTaken(List<Facts.Alert> out, TrackedAgent agent, TrackedCheck check, Facts.Incident incident,
                   Command command, Instant now) {
    if (allowed(agent, check, now)) {
      actionsAlerted.put(command.id(), new Ordered(check.id(), incident == null ? null : incident.id()));
      out.add(checkAlert("action_taken", "firing", "warning", agent, check, incident, now,
        command.action().name().toLowerCase() + " of " + command.service() + " on " + hostOf(agent) + ": "
          + command.reason(),
        new JsonObject().put("commandId", command.id()).put("action", command.action().name().toLowerCase())
          .put("evidenceUrl", actionsPath(agent.id(), command.service()))));
    }
  }

  /**
   * A restart the agent decided alone while its coordinator was away, alerted once on its return: late, and marked so
   * ({@code details.late}, {@code details.decidedBy}, {@code details.decidedAt}).
   */
  void actionTakenByTheAgent(List<Facts.Alert> out, TrackedAgent agent, TrackedCheck check, Facts.Incident incident,
                             CommandResult result, Instant now) {
    if (allowed(agent, check, now)) {
      String action = result.action().name().toLowerCase();
      out.add(checkAlert("action_taken", "firing", "warning", agent, check, incident, now,
        action + " of " + result.service() + " on " + hostOf(agent) + " (late: " + Journal.DECIDED_BY_THE_AGENT
          + "): " + result.local().checkId() + ": " + result.local().reason() + "; " + result.status().name()
          .toLowerCase(),
        new JsonObject().put("commandId", result.commandId()).put("action", action).put("late", true)
          .put("decidedBy", "agent").put("decidedAt", result.local().decidedAt().toString())));
    }
  }

  /**
   * The answer to a restart alerted as {@code action_taken}, with the evidence the agent took before the kill:
   * {@code action_evidence}, its texts cut to {@value #EVIDENCE_CHARS} characters, with the API path of the whole.
   */
  void actionEvidence(List<Facts.Alert> out, TrackedAgent agent, CommandResult result, Instant now) {
    Ordered ordered = actionsAlerted.remove(result.commandId());
    TrackedCheck check = ordered == null ? null : agent.checks().get(ordered.checkId());
    if (check == null || result.evidence() == null || !allowed(agent, check, now)) {
      return;
    }
    Evidence evidence = result.evidence();
    boolean cut = longer(evidence.threadDump()) || longer(evidence.outputTail());
    JsonObject dump = new JsonObject().put("summary", evidence.summary())
      .put("threadDump", head(evidence.threadDump())).put("outputTail", tail(evidence.outputTail()))
      .put("lastKick", evidence.lastKick() == null ? null : evidence.lastKick().toString())
      .put("missing", new JsonArray(new java.util.ArrayList<>(evidence.missing())))
      .put("truncated", cut).put("url", actionsPath(agent.id(), result.service()));
    out.add(checkAlert("action_evidence", "firing", "info", agent, check, ordered.incidentId(), now,
      result.action().name().toLowerCase() + " of " + result.service() + " on " + hostOf(agent) + " "
        + result.status().name().toLowerCase() + "; before it: " + evidence.summary(),
      new JsonObject().put("commandId", result.commandId()).put("action", result.action().name().toLowerCase())
        .put("status", result.status().name().toLowerCase()).put("detail", result.detail()).put("dump", dump)));
  }

  private static String actionsPath(String agentId, String service) {
    return "/api/actions?agent=" + URLEncoder.encode(agentId, StandardCharsets.UTF_8) + "&service="
      + URLEncoder.encode(service, StandardCharsets.UTF_8);
  }

  private static boolean longer(String text) {
    return text != null && text.length() > EVIDENCE_CHARS;
  }

  private static String head(String text) {
    return text == null || text.length() <= EVIDENCE_CHARS ? text : text.substring(0, EVIDENCE_CHARS) + "...";
  }

  private static String tail(String text) {
    return text == null || text.length() <= EVIDENCE_CHARS ? text
      : "..." + text.substring(text.length() - EVIDENCE_CHARS);
  }

  /** An open incident whose opening was held back (silence, maintenance) or that stays open past the repeat. */
  void repeatIfDue(List<Facts.Alert> out, TrackedAgent agent, TrackedCheck check, Facts.Incident incident,
                   Instant now) {
    if (incident == null) {
      return;
    }
    Alerted alerted = alertedIncidents.get(incident.id());
    boolean due = alerted == null || !repeatInterval.isZero() && !now.isBefore(alerted.at().plus(repeatInterval));
    if (due && allowed(agent, check, now)) {
      out.add(alerted == null ? opened(agent, check, incident, now) : stillOpen(agent, check, incident, alerted, now));
    }
  }

  /**
   * When the open incident is next due to be alerted by {@link #repeatIfDue}: {@link Instant#MIN} when its opening is
   * still held back (as soon as allowed), null when never (no incident, or no repeats).
   */
  Instant repeatDue(Facts.Incident incident) {
    if (incident == null) {
      return null;
    }
    Alerted alerted = alertedIncidents.get(incident.id());
    if (alerted == null) {
      return Instant.MIN;
    }
    return repeatInterval.isZero() ? null : alerted.at().plus(repeatInterval);
  }

  /** The next moment after {@code now} a maintenance window begins or ends; null when none will. */
  Instant nextMaintenanceChange(Instant now) {
    Instant next = null;
    for (MaintenanceWindows.Window window : maintenance.windows()) {
      for (Instant at : new Instant[] {window.from(), window.until()}) {
        if (at != null && at.isAfter(now) && (next == null || at.isBefore(next))) {
          next = at;
        }
      }
    }
    return next;
  }

  void agentLost(List<Facts.Alert> out, TrackedAgent agent, Instant now, String why) {
    boolean silenced = agent.silencedUntil() != null && agent.silencedUntil().isAfter(now);
    if (!silenced && maintenance.covering(agent.id(), agent.host(), Map.of(), now) == null) {
      lostAlerted.add(agent.id());
      out.add(agentAlert("agent_lost", "firing", agent, now, "agent " + agent.id() + " on " + hostOf(agent)
        + " lost: " + why + "; its checks are not acted on"));
    }
  }

  /** The agent's agent_lost alert was raised by a coordinator before this one: its return is alerted here. */
  void lostAlertedBefore(String agentId) {
    lostAlerted.add(agentId);
  }

  void agentBack(List<Facts.Alert> out, TrackedAgent agent, Instant now) {
    if (lostAlerted.remove(agent.id())) {
      out.add(agentAlert("agent_back", "resolved", agent, now, "agent " + agent.id() + " on " + hostOf(agent)
        + " is back"));
    }
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

  private Facts.Alert opened(TrackedAgent agent, TrackedCheck check, Facts.Incident incident, Instant now) {
    alertedIncidents.put(incident.id(), new Alerted(now, "warning"));
    return checkAlert("incident_opened", "firing", "warning", agent, check, incident, now,
      check.id() + " on " + hostOf(agent) + " failing: " + incident.reason(), null);
  }

  private Facts.Alert stillOpen(TrackedAgent agent, TrackedCheck check, Facts.Incident incident, Alerted alerted,
                                Instant now) {
    alertedIncidents.put(incident.id(), new Alerted(now, alerted.severity()));
    Duration open = Duration.between(incident.openedAt(), now);
    return checkAlert("still_open", "firing", alerted.severity(), agent, check, incident, now,
      check.id() + " on " + hostOf(agent) + " still failing after " + Durations.human(open) + ": "
        + check.state().reason(), new JsonObject().put("openForMs", open.toMillis()));
  }

  private Facts.Alert gaveUp(TrackedAgent agent, TrackedCheck check, Facts.Incident incident, Instant now) {
    alertedIncidents.put(incident.id(), new Alerted(now, "critical"));
    return checkAlert("gave_up", "firing", "critical", agent, check, incident, now,
      "gave up on " + check.id() + " on " + hostOf(agent) + ": " + check.state().reason()
        + "; a person must act and reset the check", null);
  }

  private Facts.Alert recovered(TrackedAgent agent, TrackedCheck check, Facts.Incident incident, String severity,
                                Instant now) {
    Duration open = Duration.between(incident.openedAt(), now);
    return checkAlert("recovered", "resolved", severity, agent, check, incident, now,
      check.id() + " on " + hostOf(agent) + " recovered after " + Durations.human(open), new JsonObject()
        .put("durationMs", open.toMillis()));
  }

  private Facts.Alert checkAlert(String kind, String status, String severity, TrackedAgent agent,
                                 TrackedCheck check, Facts.Incident incident, Instant now, String summary,
                                 JsonObject details) {
    return checkAlert(kind, status, severity, agent, check, incident == null ? null : incident.id(), now, summary,
      details);
  }

  private Facts.Alert checkAlert(String kind, String status, String severity, TrackedAgent agent,
                                 TrackedCheck check, String incidentId, Instant now, String summary,
                                 JsonObject details) {
    JsonArray evidence = new JsonArray();
    for (ProbeResult result : check.recentResults()) {
      evidence.add(new JsonObject()
        .put("time", result.time().toString())
        .put("outcome", result.outcome().name().toLowerCase())
        .put("latencyMs", result.latency().toMillis())
        .put("detail", result.detail()));
    }
    JsonObject body = base(kind, status, severity, agent, now, summary)
      .put("incidentId", incidentId)
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
}
