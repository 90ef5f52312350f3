package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * Turns what happens to the fleet into facts for the store: transitions (found by comparing each check's phase with
 * the one last journaled), incidents (opened when a check crosses its threshold, closed when it is healthy again or
 * stopped on purpose), actions and their answers, agents' sequence numbers and checks' policy memory. It keeps what
 * it last wrote of each check, and each check's open incident; it raises no alert, it says what happened to
 * incidents ({@link Change}) for whoever does.
 */
final class Journal {

  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  private static final Set<CheckPhase> PAST_THRESHOLD = EnumSet.of(CheckPhase.BACKING_OFF, CheckPhase.ACTING,
    CheckPhase.UNHEALTHY, CheckPhase.GAVE_UP);
  private static final Set<CheckPhase> RESOLVED = EnumSet.of(CheckPhase.HEALTHY, CheckPhase.PAUSED);

  /** What happened to a check's incident in one journaling, oldest first. */
  record Change(Kind kind, TrackedCheck check, Facts.Incident incident) {

    enum Kind { OPENED, CLOSED, GAVE_UP }
  }

  /** What was last journaled of a check, and its open incident. */
  private static final class Mark {
    private CheckPhase phase = CheckPhase.UNKNOWN;
    private int failures;
    private Facts.Incident incident;
    /** The agent decided this check alone from then on: the next transition says so, and is dated then. */
    private Instant handedBackSince;
    private boolean keptOpen;
  }

  /** How a transition, an incident or an action that the agent decided alone is told apart. */
  static final String DECIDED_BY_THE_AGENT = "decided by the agent while the coordinator was away";

  private final Map<TrackedCheck, Mark> marks = new IdentityHashMap<>();
  private final TransitionReasons reasons = new TransitionReasons();
  private BiPredicate<TrackedAgent, TrackedCheck> keepOpen = (agent, check) -> false;
  private int openIncidents;

  /** While this holds for a check (its service flaps), a recovery does not close its incident: one incident a run. */
  void keepOpenWhile(BiPredicate<TrackedAgent, TrackedCheck> rule) {
    keepOpen = rule;
  }

  private Mark mark(TrackedCheck check) {
    return marks.computeIfAbsent(check, c -> new Mark());
  }

  private Facts.Incident close(Facts facts, TrackedAgent agent, TrackedCheck check, Mark mark, CheckPhase phase,
                                      Instant now) {
    Facts.Incident open = mark.incident;
    Facts.Incident closed = new Facts.Incident(open.id(), open.agentId(), open.checkId(), open.openedAt(), now,
      open.reason());
    facts.incidents.put(open.id(), closed);
    incident(mark, null);
    log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
      .addKeyValue("incident", open.id()).log("incident closed after {}: {}",
        Duration.between(open.openedAt(), now), lower(phase));
    return closed;
  }

  /** After a coordinator restart: the phase and failures last stored, and the open incident. */
  void restored(TrackedCheck check, CheckMemory memory, Facts.Incident openIncident) {
    Mark mark = mark(check);
    if (memory != null) {
      mark.phase = memory.phase();
      mark.failures = memory.consecutiveFailures();
    }
    incident(mark, openIncident);
  }

  /** A check its agent no longer announces. */
  void forget(TrackedCheck check) {
    Mark forgotten = marks.remove(check);
    if (forgotten != null) {
      incident(forgotten, null);
    }
  }

  /** How many incidents are open, of the checks tracked. */
  int openIncidents() {
    return openIncidents;
  }

  private void incident(Mark mark, Facts.Incident incident) {
    openIncidents += (incident != null ? 1 : 0) - (mark.incident != null ? 1 : 0);
    mark.incident = incident;
  }

  /** The check's open incident, or null. */
  Facts.Incident incident(TrackedCheck check) {
    Mark mark = marks.get(check);
    return mark == null ? null : mark.incident;
  }

  void agent(Facts facts, TrackedAgent agent, Instant now) {
    Facts.AgentRecord earlier = facts.agents.get(agent.id());
    facts.agents.put(agent.id(), new Facts.AgentRecord(agent.id(), agent.host(), agent.version(), agent.lastSeq(), now,
      earlier == null ? null : earlier.services()));
  }

  /** The agent as it announced itself, services included. */
  void announced(Facts facts, TrackedAgent agent, Instant now) {
    facts.agents.put(agent.id(), new Facts.AgentRecord(agent.id(), agent.host(), agent.version(), agent.lastSeq(), now,
      agent.servicesJson()));
  }

  /** The check as its agent announced it: its spec, memory and incident. */
  void announcedCheck(Facts facts, TrackedAgent agent, TrackedCheck check, Instant now) {
    check(facts, agent, check, check.spec().toJson(), now);
  }

  /** The check's memory and incident; its spec is as announced, written already. */
  private void check(Facts facts, TrackedAgent agent, TrackedCheck check, Instant now) {
    check(facts, agent, check, null, now);
  }

  private void check(Facts facts, TrackedAgent agent, TrackedCheck check, JsonObject spec, Instant now) {
    Facts.Incident incident = incident(check);
    Facts.CheckRecord record = new Facts.CheckRecord(agent.id(), check.id(), spec,
      CheckMemoryJson.toJson(check.state().memory(now)), incident == null ? null : incident.id());
    facts.checks.merge(agent.id() + "/" + check.id(), record, (earlier, later) -> later.after(earlier));
  }

  /** Journals every check of the agent whose phase or failures moved since last time; says what its incidents did. */
  List<Change> changes(Facts facts, TrackedAgent agent, Instant now) {
    List<Change> changes = null;
    for (TrackedCheck check : agent.checks().values()) {
      Mark mark = mark(check);
      CheckPhase phase = check.state().phase();
      CheckPhase before = mark.phase;
      int failures = check.state().consecutiveFailures();
      if (phase == before) {
        if (mark.keptOpen && RESOLVED.contains(phase) && mark.incident != null && !keepOpen.test(agent, check)) {
          mark.keptOpen = false;
          changes = changes == null ? new ArrayList<>(2) : changes;
          changes.add(new Change(Change.Kind.CLOSED, check, close(facts, agent, check, mark, phase, now)));
          check(facts, agent, check, now);
        }
        if (failures != mark.failures) {
          mark.failures = failures;
          check(facts, agent, check, now);
        }
        continue;
      }
      mark.phase = phase;
      mark.failures = failures;
      String reason = reasons.why(agent.id(), check, before, phase, now);
      Instant at = now;
      if (mark.handedBackSince != null) {
        at = mark.handedBackSince;
        mark.handedBackSince = null;
        reason = DECIDED_BY_THE_AGENT + (reason == null ? "" : ": " + reason);
      }
      facts.transitions.add(new Facts.Transition(agent.id(), check.id(), at, lower(before), lower(phase), reason));
      if (changes == null) {
        changes = new ArrayList<>(2);
      }
      if (PAST_THRESHOLD.contains(phase) && mark.incident == null) {
        Facts.Incident opened = new Facts.Incident(UUID.randomUUID().toString(), agent.id(), check.id(), at, null,
          reason);
        incident(mark, opened);
        facts.incidents.put(opened.id(), opened);
        log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
          .addKeyValue("incident", opened.id()).log("incident opened: {}", reason);
        changes.add(new Change(Change.Kind.OPENED, check, opened));
      } else if (RESOLVED.contains(phase) && mark.incident != null) {
        mark.keptOpen = keepOpen.test(agent, check);
        if (!mark.keptOpen) {
          changes.add(new Change(Change.Kind.CLOSED, check, close(facts, agent, check, mark, phase, now)));
        }
      }
      if (phase == CheckPhase.GAVE_UP) {
        changes.add(new Change(Change.Kind.GAVE_UP, check, mark.incident));
      }
      check(facts, agent, check, now);
    }
    return changes == null ? List.of() : changes;
  }

  /** The agent handed back a check it decided alone from {@code since}; its memory was taken over. */
  void handedBack(TrackedCheck check, Instant since) {
    mark(check).handedBackSince = since;
  }

  /** The checks of {@code agent} whose memory this journaling wrote. */
  List<String> journaledChecks(Facts facts, TrackedAgent agent) {
    List<String> ids = new ArrayList<>();
    facts.checks.values().forEach(record -> {
      if (record.agentId().equals(agent.id())) {
        ids.add(record.checkId());
      }
    });
    return ids;
  }

  /**
   * A restart the agent decided alone and reports on its return: the action, at the time it was decided. Unless an
   * incident of its check is open (it then holds the action), the incident it was is recorded whole, closed.
   */
  void decidedByTheAgent(Facts facts, TrackedAgent agent, TrackedCheck check, CommandResult result) {
    CommandResult.LocalDecision local = result.local();
    String why = DECIDED_BY_THE_AGENT + ": " + local.checkId() + ": " + local.reason();
    reasons.issued(new Command(result.commandId(), result.agentId(), result.service(), result.action(),
      local.checkId() + ": " + local.reason(), local.decidedAt(), local.decidedAt(), 0), true);
    facts.actions.put(result.commandId(), new Facts.Action(result.commandId(), result.agentId(), result.service(),
      lower(result.action()), why, "agent", local.decidedAt(), null, 0, lower(result.status()), result.detail(),
      result.time(), result.duration().toMillis()));
    Mark mark = check == null ? null : mark(check);
    if (mark == null || mark.incident != null) {
      return;   // the open incident (opened when the agent handed the check back) holds it
    }
    // over by the time the coordinator hears of it: a whole incident, from the decision to the restart's end
    String phase = lower(mark.phase);
    facts.transitions.add(new Facts.Transition(agent.id(), check.id(), local.decidedAt(), phase, "acting", why));
    facts.transitions.add(new Facts.Transition(agent.id(), check.id(), result.time(), "acting", phase,
      lower(result.status()) + ": " + result.detail()));
    Facts.Incident incident = new Facts.Incident(UUID.randomUUID().toString(), agent.id(), check.id(),
      local.decidedAt(), result.time(), why);
    facts.incidents.put(incident.id(), incident);
  }

  void silence(Facts facts, Facts.Silence silence) {
    facts.silences.put(silence.key(), silence);
  }

  /** What a person did that is not a command to an agent (reset, silence): recorded with the actions, done. */
  void operatorAction(Facts facts, String agentId, String service, String action, String reason, String by,
                      Instant now, long epoch) {
    String id = UUID.randomUUID().toString();
    facts.actions.put(id, new Facts.Action(id, agentId, service, action, reason, by, now, null, epoch, "done", null,
      now, 0L));
  }

  void result(Facts facts, ProbeResult result) {
    facts.results.add(result);
  }

  void event(Facts facts, ProcessEvent event) {
    facts.events.add(event);
    reasons.event(event);
  }

  /** A command issued by a check's policy ({@code byPolicy}) or by a person or script named {@code issuedBy}. */
  void issued(Facts facts, Command command, String issuedBy, boolean byPolicy) {
    reasons.issued(command, byPolicy);
    facts.actions.put(command.id(), new Facts.Action(command.id(), command.agentId(), command.service(),
      lower(command.action()), command.reason(), issuedBy, command.issuedAt(), command.expiresAt(), command.epoch(),
      null, null, null, null));
  }

  void answered(Facts facts, CommandResult result) {
    facts.actions.merge(result.commandId(), new Facts.Action(result.commandId(), result.agentId(), result.service(),
        lower(result.action()), null, null, null, null, 0, lower(result.status()), result.detail(), result.time(),
        result.duration().toMillis(), evidence(result)),
      (issued, answer) -> new Facts.Action(issued.commandId(), issued.agentId(), issued.service(), issued.action(),
        issued.reason(), issued.issuedBy(), issued.issuedAt(), issued.expiresAt(), issued.epoch(), answer.status(),
        answer.detail(), answer.finishedAt(), answer.durationMs(), answer.evidence()));
  }

  /**
   * What the answer brought back: the evidence taken before a kill, restart or dump, or what a remediation listed or
   * changed ({@code {remediation: {dryRun, count, ids}}}, kept in the same column; the API shows it apart).
   */
  private static io.vertx.core.json.JsonObject evidence(CommandResult result) {
    if (result.evidence() != null) {
      return result.evidence().toJson();
    }
    return result.remediation() == null ? null
      : new io.vertx.core.json.JsonObject().put(REMEDIATION, result.remediation().toJson());
  }

  /** The key under which an action's answer keeps what a remediation did. */
  static final String REMEDIATION = "remediation";

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase();
  }
}
