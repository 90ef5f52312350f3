package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.PolicySpecJson;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.CheckState;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** One check of one agent, as the coordinator follows it: what was announced, its policy state, its last result. */
final class TrackedCheck {

  /** How many of the last results an alert carries as evidence. */
  private static final int EVIDENCE = 5;

  private final String agentId;
  private final java.util.ArrayDeque<ProbeResult> recent = new java.util.ArrayDeque<>();
  private CheckSpec spec;
  private CheckState state;
  private ProbeResult lastResult;
  private CheckPhase journaled = CheckPhase.UNKNOWN;
  private int journaledFailures;
  private Facts.Incident incident;
  private boolean incidentAlerted;
  private Instant lastAlertAt;
  private String alertSeverity = "warning";
  private Instant silencedUntil;
  private Object published;

  TrackedCheck(String agentId, CheckSpec spec) {
    this.agentId = agentId;
    this.spec = spec;
    this.state = new CheckState(spec.policy());
  }

  /** A new hello may change the check; its state is kept unless its policy changed. */
  void announce(CheckSpec announced) {
    if (!announced.policy().equals(spec.policy())) {
      state = new CheckState(announced.policy());
    }
    spec = announced;
  }

  String agentId() {
    return agentId;
  }

  String id() {
    return spec.id();
  }

  String service() {
    return spec.service();
  }

  CheckSpec spec() {
    return spec;
  }

  CheckState state() {
    return state;
  }

  /** Brings back what the store kept of this check: its policy memory and its open incident. */
  void restore(CheckMemory memory, Facts.Incident openIncident) {
    if (memory != null) {
      state.restore(memory);
      journaled = memory.phase();
      journaledFailures = memory.consecutiveFailures();
    }
    incident = openIncident;
  }

  /** The phase last written to the journal; the caller compares it with the current one to find transitions. */
  CheckPhase journaled() {
    return journaled;
  }

  void journaled(CheckPhase phase) {
    journaled = phase;
  }

  int journaledFailures() {
    return journaledFailures;
  }

  void journaledFailures(int failures) {
    journaledFailures = failures;
  }

  /** The open incident of this check, or null. */
  Facts.Incident incident() {
    return incident;
  }

  void incident(Facts.Incident open) {
    incident = open;
  }

  /** The last few results, oldest first: the evidence an alert carries. */
  java.util.List<ProbeResult> recentResults() {
    return java.util.List.copyOf(recent);
  }

  /** Whether the open incident's opening was sent as an alert (so its recovery is sent too). */
  boolean incidentAlerted() {
    return incidentAlerted;
  }

  void incidentAlerted(boolean alerted, Instant at) {
    incidentAlerted = alerted;
    lastAlertAt = at;
  }

  /** The highest severity alerted for the open incident; its "still open" and "recovered" carry it too. */
  String alertSeverity() {
    return alertSeverity;
  }

  void alertSeverity(String severity) {
    alertSeverity = severity;
  }

  /** When an alert about the open incident last went out (for the repeat interval), or null. */
  Instant lastAlertAt() {
    return lastAlertAt;
  }

  /** Until when a person silenced this check (null: not silenced); the agent may be silenced as a whole too. */
  Instant silencedUntil() {
    return silencedUntil;
  }

  void silencedUntil(Instant until) {
    silencedUntil = until;
  }

  /**
   * Whether what the dashboard shows of this check changed since the last call (state, failures, last outcome,
   * silence, incident, budget): every result does not count, only those that change what is seen.
   */
  boolean changedSincePublished(Instant now, boolean agentReachable) {
    Object key = java.util.Arrays.asList(stateOf(this, agentReachable), state.consecutiveFailures(),
      lastResult == null ? null : lastResult.outcome(), silencedUntil, incident == null ? null : incident.id(),
      state.restartsUsed(now), spec);
    if (key.equals(published)) {
      return false;
    }
    published = key;
    return true;
  }

  void seen(ProbeResult result) {
    lastResult = result;
    recent.addLast(result);
    if (recent.size() > EVIDENCE) {
      recent.removeFirst();
    }
  }

  /** The state people see: the policy's phase, or "agent_lost" while its agent cannot be reached. */
  static String stateOf(TrackedCheck check, boolean agentReachable) {
    return agentReachable ? check.state.phase().name().toLowerCase() : "agent_lost";
  }

  /** The check as people see it; {@code withPolicy} adds the policy in force (the bulk of it, rarely changing). */
  JsonObject toJson(Instant now, boolean agentConnected, boolean withPolicy) {
    JsonObject json = new JsonObject()
      .put("agentId", agentId)
      .put("checkId", spec.id())
      .put("type", spec.type().name().toLowerCase())
      .put("service", spec.service())
      .put("target", spec.target())
      .put("state", stateOf(this, agentConnected))
      .put("phase", state.phase().name().toLowerCase())
      .put("consecutiveFailures", state.consecutiveFailures())
      .put("failureThreshold", spec.policy().failureThreshold())
      .put("restartsUsed", state.restartsUsed(now))
      .put("restartBudget", spec.policy().budget().restarts())
      .put("reason", state.reason())
      .put("incidentId", incident == null ? null : incident.id())
      .put("labels", new JsonObject(new java.util.TreeMap<>(spec.labels())));
    if (silencedUntil != null && silencedUntil.isAfter(now)) {
      json.put("silencedUntil", silencedUntil.toString());
    }
    if (state.graceUntil() != null) {
      json.put("graceUntil", state.graceUntil().toString());
    }
    if (state.restartNotBefore() != null) {
      json.put("restartNotBefore", state.restartNotBefore().toString());
    }
    if (lastResult != null) {
      json.put("lastResult", new JsonObject()
        .put("seq", lastResult.seq())
        .put("outcome", lastResult.outcome().name().toLowerCase())
        .put("time", lastResult.time().toString())
        .put("latencyMs", lastResult.latency().toMillis())
        .put("detail", lastResult.detail()));
    }
    return withPolicy ? json.put("policy", PolicySpecJson.toJson(spec.policy())) : json;
  }
}
