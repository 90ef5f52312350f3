package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.PolicySpecJson;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.CheckPhase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.TreeMap;

/**
 * What people see of the fleet: each agent and check as JSON (the snapshot, and the changes since the last time they
 * were shown), and the one rule for the state a person sees. The page shows the {@code shown} field it is served.
 */
final class Dashboard {

  static final String AGENT_LOST = "agent_lost";
  static final String SILENCED = "silenced";
  static final String CONNECTED = "connected";
  private static final String[] PHASES = Arrays.stream(CheckPhase.values())
    .map(phase -> phase.name().toLowerCase()).toArray(String[]::new);

  private final Journal journal;
  private final Published published = new Published();
  private RestartGate gate;

  Dashboard(Journal journal) {
    this.journal = journal;
  }

  /** The fleet rules, whose holds each check shows. */
  void gate(RestartGate rules) {
    gate = rules;
  }

  /** The check's state apart from silences: the policy's phase, or "agent_lost" while its agent cannot be reached. */
  static String state(TrackedAgent agent, TrackedCheck check) {
    return agent.reachable() ? phase(check.state().phase()) : AGENT_LOST;
  }

  /** The phase as people see it, in lower case (made once: a tick asks it of every check it compares). */
  static String phase(CheckPhase phase) {
    return PHASES[phase.ordinal()];
  }

  /** The state a person sees of a check: "silenced" (the check's or its agent's silence) first, else its state. */
  static String shown(TrackedAgent agent, TrackedCheck check, Instant now) {
    return agent.silenced(check, now) ? SILENCED : state(agent, check);
  }

  /** The state a person sees of an agent: "agent_lost" while it cannot be reached, "silenced", else "connected". */
  static String shown(TrackedAgent agent, Instant now) {
    if (!agent.reachable()) {
      return AGENT_LOST;
    }
    return agent.silencedUntil() != null && agent.silencedUntil().isAfter(now) ? SILENCED : CONNECTED;
  }

  /**
   * Every agent and check, sorted by agent id, or only {@code onlyAgent}'s (empty arrays when it is unknown);
   * without {@code detail}, the checks' policies and the agents' recent events are left out.
   */
  JsonObject snapshot(Collection<TrackedAgent> agents, long epoch, int commandsInFlight, Instant now,
                      String onlyAgent, boolean detail) {
    JsonArray agentArray = new JsonArray();
    JsonArray checkArray = new JsonArray();
    agents.stream()
      .filter(agent -> onlyAgent == null || agent.id().equals(onlyAgent))
      .sorted(Comparator.comparing(TrackedAgent::id)).forEach(agent -> {
        JsonObject json = agent(agent, now);
        agentArray.add(detail ? json : json.put("recentEvents", new JsonArray()));
        agent.checks().values().forEach(check -> checkArray.add(check(agent, check, now, detail)));
      });
    return new JsonObject()
      .put("epoch", epoch)
      .put("time", now.toString())
      .put("commandsInFlight", commandsInFlight)
      .put("rules", gate.summary())
      .put("agents", agentArray)
      .put("checks", checkArray);
  }

  /**
   * What changed since the last call: {@code {time, checks: [...], agents: [...]}} with the changed ones only, as in
   * the snapshot without the checks' policies; null when nothing changed. Only what a person sees counts (state,
   * failures, last outcome, silence, incident, budget), not every result. Only {@code agents} (and their checks) are
   * compared: the caller passes those that may have changed since the last call, not the whole fleet.
   */
  JsonObject changes(Collection<TrackedAgent> agents, Instant now) {
    JsonArray changedAgents = new JsonArray();
    JsonArray changedChecks = new JsonArray();
    for (TrackedAgent agent : agents) {
      if (published.agentChanged(agent)) {
        changedAgents.add(agent(agent, now));
      }
      for (TrackedCheck check : agent.checks().values()) {
        Facts.Incident incident = journal.incident(check);
        if (published.checkChanged(check, shown(agent, check, now), check.state().consecutiveFailures(), check.lastUp(),
          check.silencedUntil(), incident == null ? null : incident.id(), check.state().restartsUsed(now),
          check.spec(), gate.hold(agent, check))) {
          changedChecks.add(check(agent, check, now, false));
        }
      }
    }
    if (changedAgents.isEmpty() && changedChecks.isEmpty()) {
      return null;
    }
    return new JsonObject().put("time", now.toString()).put("checks", changedChecks).put("agents", changedAgents);
  }

  /** A check its agent no longer announces. */
  void forget(TrackedCheck check) {
    published.forget(check);
  }

  /** An agent no longer tracked here. */
  void forget(TrackedAgent agent) {
    published.forget(agent);
  }

  /** The check as people see it; {@code withPolicy} adds the policy in force (the bulk of it, rarely changing). */
  JsonObject check(TrackedAgent agent, TrackedCheck check, Instant now, boolean withPolicy) {
    Facts.Incident incident = journal.incident(check);
    var state = check.state();
    var spec = check.spec();
    JsonObject json = new JsonObject()
      .put("agentId", agent.id())
      .put("checkId", spec.id())
      .put("type", spec.type().name().toLowerCase())
      .put("service", spec.service())
      .put("target", spec.target())
      .put("state", state(agent, check))
      .put("phase", phase(state.phase()))
      .put("consecutiveFailures", state.consecutiveFailures())
      .put("failureThreshold", spec.policy().failureThreshold())
      .put("restartsUsed", state.restartsUsed(now))
      .put("restartBudget", spec.policy().budget().restarts())
      .put("reason", state.reason())
      .put("incidentId", incident == null ? null : incident.id())
      .put("labels", new JsonObject(new TreeMap<>(spec.labels())));
    Instant silencedUntil = check.silencedUntil();
    if (silencedUntil != null && silencedUntil.isAfter(now)) {
      json.put("silencedUntil", silencedUntil.toString());
    }
    String hold = gate.hold(agent, check);
    if (hold != null) {
      json.put("hold", hold);
    }
    if (state.graceUntil() != null) {
      json.put("graceUntil", state.graceUntil().toString());
    }
    if (state.restartNotBefore() != null) {
      json.put("restartNotBefore", state.restartNotBefore().toString());
    }
    ProbeResult last = check.lastResult();
    if (last != null) {
      json.put("lastResult", new JsonObject()
        .put("seq", last.seq())
        .put("outcome", last.outcome().name().toLowerCase())
        .put("time", last.time().toString())
        .put("latencyMs", last.latency().toMillis())
        .put("detail", last.detail()));
    }
    if (withPolicy) {
      JsonObject policy = PolicySpecJson.toJson(spec.policy());
      json.put("policy", spec.rules().remediate() ? policy.put("action", "remediate") : policy);
    }
    return json.put("silenced", agent.silenced(check, now)).put("shown", shown(agent, check, now));
  }

  JsonObject agent(TrackedAgent agent, Instant now) {
    JsonArray events = new JsonArray();
    agent.recentEvents().forEach(event -> events.add(event.toJson().put("time", event.time().toString())));
    JsonArray services = new JsonArray();
    agent.services().forEach(service -> {
      JsonObject json = service.toJson().put("restarts", agent.restarts(service.name()));
      if (service.startedAt() != null) {
        json.put("startedAtTime", service.startedAt().toString());   // startedAt stays epoch ms, for old clients
      }
      services.add(json);
    });
    Keepalive vitals = agent.vitals();
    Instant lastSeen = agent.lastSeen();
    Instant silencedUntil = agent.silencedUntil();
    return new JsonObject()
      .put("agentId", agent.id())
      .put("host", agent.host())
      .put("version", agent.version())
      .put("connected", agent.connected())
      .put("lastSeq", agent.lastSeq())
      .put("duplicatesDropped", agent.duplicates())
      .put("missingReports", agent.missing())
      .put("lost", agent.lost())
      .put("lastSeen", lastSeen == null ? null : lastSeen.toString())
      .put("vitals", vitals == null ? null : vitals.toJson().put("time", vitals.time().toString()))
      .put("services", services)
      .put("silencedUntil", silencedUntil == null ? null : silencedUntil.toString())
      .put("recentEvents", events)
      .put("shown", shown(agent, now));
  }
}
