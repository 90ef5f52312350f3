package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.policy.CheckPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what happens to the fleet into facts for the store: transitions (found by comparing each check's phase with
 * the one last journaled), incidents (opened when a check crosses its threshold, closed when it is healthy again or
 * stopped on purpose), actions and their answers, agents' sequence numbers and checks' policy memory.
 */
final class Journal {

  private static final Logger log = LoggerFactory.getLogger(Journal.class);

  private static final Set<CheckPhase> PAST_THRESHOLD = EnumSet.of(CheckPhase.BACKING_OFF, CheckPhase.ACTING,
    CheckPhase.UNHEALTHY, CheckPhase.GAVE_UP);
  private static final Set<CheckPhase> RESOLVED = EnumSet.of(CheckPhase.HEALTHY, CheckPhase.PAUSED);

  private final Supplier<AlertRaiser> raiser;
  private Facts facts = new Facts();

  Journal(Supplier<AlertRaiser> raiser) {
    this.raiser = raiser;
  }

  Facts drain() {
    Facts drained = facts;
    facts = new Facts();
    return drained;
  }

  void agent(TrackedAgent agent, Instant now) {
    Facts.AgentRecord earlier = facts.agents.get(agent.id());
    facts.agents.put(agent.id(), new Facts.AgentRecord(agent.id(), agent.host(), agent.version(), agent.lastSeq(), now,
      earlier == null ? null : earlier.services()));
  }

  /** The agent as it announced itself, services included. */
  void announced(TrackedAgent agent, Instant now) {
    facts.agents.put(agent.id(), new Facts.AgentRecord(agent.id(), agent.host(), agent.version(), agent.lastSeq(), now,
      agent.servicesJson()));
  }

  void check(TrackedAgent agent, TrackedCheck check, Instant now) {
    facts.checks.put(agent.id() + "/" + check.id(), new Facts.CheckRecord(agent.id(), check.id(),
      check.spec().toJson(), CheckMemoryJson.toJson(check.state().memory(now)), check.incident() == null ? null
      : check.incident().id()));
  }

  /** Journals every check of the agent whose phase moved since last time. */
  void changes(TrackedAgent agent, Instant now) {
    for (TrackedCheck check : agent.checks().values()) {
      CheckPhase phase = check.state().phase();
      CheckPhase before = check.journaled();
      int failures = check.state().consecutiveFailures();
      if (phase == before) {
        if (failures != check.journaledFailures()) {
          check.journaledFailures(failures);
          check(agent, check, now);
        }
        continue;
      }
      check.journaled(phase);
      check.journaledFailures(failures);
      String reason = check.state().reason();
      facts.transitions.add(new Facts.Transition(agent.id(), check.id(), now, lower(before), lower(phase), reason));
      if (PAST_THRESHOLD.contains(phase) && check.incident() == null) {
        Facts.Incident opened = new Facts.Incident(UUID.randomUUID().toString(), agent.id(), check.id(), now, null,
          reason);
        check.incident(opened);
        facts.incidents.put(opened.id(), opened);
        log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
          .addKeyValue("incident", opened.id()).log("incident opened: {}", reason);
        if (raiser.get().allowed(agent, check, now)) {
          facts.alerts.add(raiser.get().opened(agent, check, now));
        } else {
          check.incidentAlerted(false, null);
        }
      } else if (RESOLVED.contains(phase) && check.incident() != null) {
        Facts.Incident open = check.incident();
        facts.incidents.put(open.id(), new Facts.Incident(open.id(), open.agentId(), open.checkId(), open.openedAt(),
          now, open.reason()));
        if (check.incidentAlerted()) {
          facts.alerts.add(raiser.get().recovered(agent, check, open, now));
        }
        check.incident(null);
        log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
          .addKeyValue("incident", open.id()).log("incident closed after {}: {}",
            Duration.between(open.openedAt(), now), lower(phase));
      }
      if (phase == CheckPhase.GAVE_UP && raiser.get().allowed(agent, check, now)) {
        facts.alerts.add(raiser.get().gaveUp(agent, check, now));
      }
      check(agent, check, now);
    }
  }

  /** An open incident whose opening was held back (silence, maintenance) or that stays open past the repeat. */
  void repeatDue(TrackedAgent agent, TrackedCheck check, Instant now) {
    if (raiser.get().due(check, now) && raiser.get().allowed(agent, check, now)) {
      facts.alerts.add(check.incidentAlerted() ? raiser.get().stillOpen(agent, check, now) : raiser.get().opened(agent, check,
        now));
    }
  }

  void alert(Facts.Alert alert) {
    facts.alerts.add(alert);
  }

  void silence(Facts.Silence silence) {
    facts.silences.put(silence.key(), silence);
  }

  /** What a person did that is not a command to an agent (reset, silence): recorded with the actions, done. */
  void operatorAction(String agentId, String service, String action, String reason, String by, Instant now,
                      long epoch) {
    String id = UUID.randomUUID().toString();
    facts.actions.put(id, new Facts.Action(id, agentId, service, action, reason, by, now, null, epoch, "done", null,
      now, 0L));
  }

  void result(ProbeResult result) {
    facts.results.add(result);
  }

  void event(ProcessEvent event) {
    facts.events.add(event);
  }

  void issued(Command command, String issuedBy) {
    facts.actions.put(command.id(), new Facts.Action(command.id(), command.agentId(), command.service(),
      lower(command.action()), command.reason(), issuedBy, command.issuedAt(), command.expiresAt(), command.epoch(),
      null, null, null, null));
  }

  void answered(CommandResult result) {
    facts.actions.merge(result.commandId(), new Facts.Action(result.commandId(), result.agentId(), result.service(),
        lower(result.action()), null, null, null, null, 0, lower(result.status()), result.detail(), result.time(),
        result.duration().toMillis()),
      (issued, answer) -> new Facts.Action(issued.commandId(), issued.agentId(), issued.service(), issued.action(),
        issued.reason(), issued.issuedBy(), issued.issuedAt(), issued.expiresAt(), issued.epoch(), answer.status(),
        answer.detail(), answer.finishedAt(), answer.durationMs()));
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase();
  }
}
