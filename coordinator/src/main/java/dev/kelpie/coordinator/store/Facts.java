package dev.kelpie.coordinator.store;

import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Everything the policy decided should be kept, since the last write: raw results and process events, state
 * transitions, incidents opened and closed, actions and their outcomes, each check's policy memory and each agent's
 * last sequence number. Every item is keyed, so writing the same facts twice stores them once.
 */
public final class Facts {

  public record Transition(String agentId, String checkId, Instant at, String from, String to, String reason) {
  }

  public record Incident(String id, String agentId, String checkId, Instant openedAt, Instant closedAt,
                         String reason) {
  }

  /**
   * An action issued (status null) or answered; {@code issuedBy} is the check, rule or person behind it;
   * {@code evidence} is what the agent took before a kill, a restart or a dump (the answer's, else null).
   */
  public record Action(String commandId, String agentId, String service, String action, String reason,
                       String issuedBy, Instant issuedAt, Instant expiresAt, long epoch, String status, String detail,
                       Instant finishedAt, Long durationMs, JsonObject evidence) {

    public Action(String commandId, String agentId, String service, String action, String reason, String issuedBy,
                  Instant issuedAt, Instant expiresAt, long epoch, String status, String detail, Instant finishedAt,
                  Long durationMs) {
      this(commandId, agentId, service, action, reason, issuedBy, issuedAt, expiresAt, epoch, status, detail,
        finishedAt, durationMs, null);
    }
  }

  /**
   * A check's row: {@code spec} is set when its agent announced it (a hello), else null: keep what is stored, and
   * write nothing for a check never announced. {@code memory} null: keep what is stored.
   */
  public record CheckRecord(String agentId, String checkId, JsonObject spec, JsonObject memory, String incidentId) {

    /** This later record, with what it leaves as stored (null) taken from {@code earlier}. */
    public CheckRecord after(CheckRecord earlier) {
      if (earlier == null || spec != null && memory != null) {
        return this;
      }
      return new CheckRecord(agentId, checkId, spec != null ? spec : earlier.spec(),
        memory != null ? memory : earlier.memory(), incidentId);
    }
  }

  /** {@code services} is set when the agent announced them (a hello), else null: keep what is stored. */
  public record AgentRecord(String agentId, String host, String version, long lastSeq, Instant lastSeen,
                            JsonArray services) {

    /**
     * This record written after {@code earlier} (in one transaction, or onto the row kept): what this one leaves
     * unsaid (host, version, services) is as {@code earlier} has it, and the last report sequence never goes back.
     */
    public AgentRecord after(AgentRecord earlier) {
      if (earlier == null) {
        return this;
      }
      return new AgentRecord(agentId, host != null ? host : earlier.host(),
        version != null ? version : earlier.version(), Math.max(earlier.lastSeq(), lastSeq), lastSeen,
        services != null ? services : earlier.services());
    }
  }

  /** A silence set by a person on a check, or on a whole agent ({@code checkId} null); until now or before: lifted. */
  public record Silence(String agentId, String checkId, Instant until, String by, String reason, Instant createdAt) {

    public String key() {
      return agentId + "/" + (checkId == null ? "" : checkId);
    }
  }

  /** An alert as raised, before any routing: it goes into the outbox with the facts that raised it. */
  public record Alert(String id, Instant raisedAt, JsonObject body) {
  }

  public final List<ProbeResult> results = new ArrayList<>();
  public final List<ProcessEvent> events = new ArrayList<>();
  public final List<Transition> transitions = new ArrayList<>();
  public final Map<String, Incident> incidents = new LinkedHashMap<>();
  public final Map<String, Action> actions = new LinkedHashMap<>();
  public final Map<String, CheckRecord> checks = new LinkedHashMap<>();
  public final Map<String, AgentRecord> agents = new LinkedHashMap<>();
  public final Map<String, Silence> silences = new LinkedHashMap<>();
  public final List<Alert> alerts = new ArrayList<>();

  public boolean isEmpty() {
    return size() == 0;
  }

  public int size() {
    return results.size() + events.size() + transitions.size() + incidents.size() + actions.size() + checks.size()
      + agents.size() + silences.size() + alerts.size();
  }

  /**
   * These facts split by agent into {@code lanes} parts, an agent's always in the same part ({@link #laneOf}); an
   * alert goes with its agent's facts, one about no agent with part 0. A part may be empty, or null when nothing
   * is in it. Facts that all go one lane (a batch's, about its one agent) are that part themselves, not a copy.
   */
  public Facts[] byLane(int lanes) {
    Facts[] parts = new Facts[lanes];
    int only = oneLane(lanes);
    if (only >= 0) {
      parts[only] = this;
      return parts;
    }
    for (int i = 0; i < lanes; i++) {
      parts[i] = new Facts();
    }
    results.forEach(r -> parts[laneOf(r.agentId(), lanes)].results.add(r));
    events.forEach(e -> parts[laneOf(e.agentId(), lanes)].events.add(e));
    transitions.forEach(t -> parts[laneOf(t.agentId(), lanes)].transitions.add(t));
    incidents.forEach((id, i) -> parts[laneOf(i.agentId(), lanes)].incidents.put(id, i));
    actions.forEach((id, a) -> parts[laneOf(a.agentId(), lanes)].actions.put(id, a));
    checks.forEach((key, c) -> parts[laneOf(c.agentId(), lanes)].checks.put(key, c));
    agents.forEach((id, a) -> parts[laneOf(a.agentId(), lanes)].agents.put(id, a));
    silences.forEach((key, silence) -> parts[laneOf(silence.agentId(), lanes)].silences.put(key, silence));
    alerts.forEach(a -> parts[laneOf(a.body() == null ? null : a.body().getString("agentId"), lanes)].alerts.add(a));
    return parts;
  }

  /** The lane all these facts go to, or -1 when they go to several (or there are none). */
  private int oneLane(int lanes) {
    OneLane one = new OneLane(lanes);
    eachAgentId(one::see);
    return one.lane < 0 ? -1 : one.lane;
  }

  /** Each fact's agent id in turn; null for an alert about no agent. */
  private void eachAgentId(Consumer<String> seen) {
    results.forEach(r -> seen.accept(r.agentId()));
    events.forEach(e -> seen.accept(e.agentId()));
    transitions.forEach(t -> seen.accept(t.agentId()));
    incidents.values().forEach(i -> seen.accept(i.agentId()));
    actions.values().forEach(a -> seen.accept(a.agentId()));
    checks.values().forEach(c -> seen.accept(c.agentId()));
    agents.values().forEach(a -> seen.accept(a.agentId()));
    silences.values().forEach(silence -> seen.accept(silence.agentId()));
    alerts.forEach(a -> seen.accept(a.body() == null ? null : a.body().getString("agentId")));
  }

  private static final class OneLane {
    private final int lanes;
    /** -2: nothing seen yet; -1: several. */
    private int lane = -2;

    OneLane(int lanes) {
      this.lanes = lanes;
    }

    void see(String agentId) {
      int its = laneOf(agentId, lanes);
      lane = lane == -2 || lane == its ? its : -1;
    }
  }

  /** The one agent all these facts are about; null when they are about several, none, or no agent at all. */
  public String soleAgent() {
    Sole sole = new Sole();
    eachAgentId(sole::see);
    return sole.several ? null : sole.agent;
  }

  /** Whether any of these facts is about {@code agentId}. */
  public boolean concerns(String agentId) {
    return results.stream().anyMatch(r -> agentId.equals(r.agentId()))
      || events.stream().anyMatch(e -> agentId.equals(e.agentId()))
      || transitions.stream().anyMatch(t -> agentId.equals(t.agentId()))
      || incidents.values().stream().anyMatch(i -> agentId.equals(i.agentId()))
      || actions.values().stream().anyMatch(a -> agentId.equals(a.agentId()))
      || checks.values().stream().anyMatch(c -> agentId.equals(c.agentId()))
      || agents.containsKey(agentId)
      || silences.values().stream().anyMatch(s -> agentId.equals(s.agentId()))
      || alerts.stream().anyMatch(a -> a.body() == null || agentId.equals(a.body().getString("agentId")));
  }

  private static final class Sole {
    String agent;
    boolean several;

    void see(String agentId) {
      if (agentId == null || agent != null && !agent.equals(agentId)) {
        several = true;
      } else {
        agent = agentId;
      }
    }
  }

  /** The lane of an agent's facts among {@code lanes}; 0 for none. */
  public static int laneOf(String agentId, int lanes) {
    return agentId == null ? 0 : Math.floorMod(agentId.hashCode(), lanes);
  }

  /** Adds later facts after these; for keyed items the later one wins, but for what it leaves as stored. */
  public void addAll(Facts later) {
    results.addAll(later.results);
    events.addAll(later.events);
    transitions.addAll(later.transitions);
    incidents.putAll(later.incidents);
    later.actions.forEach((id, action) -> actions.merge(id, action, Facts::mergeAction));
    later.checks.forEach((key, check) -> checks.merge(key, check, (earlier, it) -> it.after(earlier)));
    // a batch's record says nothing of the services (null): those of a process event merged before it must stay
    later.agents.forEach((id, agent) -> agents.merge(id, agent, (earlier, it) -> it.after(earlier)));
    silences.putAll(later.silences);
    alerts.addAll(later.alerts);
  }

  /** An answer recorded after its issue keeps what the issue said. */
  public static Action mergeAction(Action earlier, Action later) {
    if (later.issuedAt() != null) {
      return later;
    }
    return new Action(earlier.commandId(), earlier.agentId(), earlier.service(), earlier.action(), earlier.reason(),
      earlier.issuedBy(), earlier.issuedAt(), earlier.expiresAt(), earlier.epoch(), later.status(), later.detail(),
      later.finishedAt(), later.durationMs(), later.evidence() != null ? later.evidence() : earlier.evidence());
  }
}
