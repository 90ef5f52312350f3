package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/** Rebuilds the fleet's books from what the store kept, for a coordinator that restarted. */
final class Restoration {

  private final Map<String, TrackedAgent> agents;
  private final CommandBook commands;
  private final Duration answerTimeout;
  private final Journal journal;
  private final AlertRaiser alerts;

  Restoration(Map<String, TrackedAgent> agents, CommandBook commands, Duration answerTimeout, Journal journal,
              AlertRaiser alerts) {
    this.agents = agents;
    this.commands = commands;
    this.answerTimeout = answerTimeout;
    this.journal = journal;
    this.alerts = alerts;
  }

  void apply(Store.Restored restored, Instant now) {
    restored.agents().forEach((id, record) -> {
      TrackedAgent agent = agents.computeIfAbsent(id, TrackedAgent::new);
      agent.restoreLastSeq(record.lastSeq(), record.lastSeen());
      agent.restoreServices(record.services());
    });
    restored.checks().values().forEach(record -> {
      TrackedAgent agent = agents.computeIfAbsent(record.agentId(), TrackedAgent::new);
      TrackedCheck check = new TrackedCheck(CheckSpec.fromJson(record.spec()));
      CheckMemory memory = record.memory() == null ? null : CheckMemoryJson.fromJson(record.memory());
      Facts.Incident open = record.incidentId() == null ? null : restored.openIncidents().get(record.incidentId());
      if (memory != null) {
        check.restore(memory);
      }
      journal.restored(check, memory, open);
      if (open != null) {
        alerts.restored(open, now);
      }
      agent.checks().put(check.id(), check);
    });
    for (Facts.Silence silence : restored.silences()) {
      TrackedAgent agent = agents.get(silence.agentId());
      TrackedCheck check = agent == null || silence.checkId() == null ? null : agent.checks().get(silence.checkId());
      if (check != null) {
        check.silencedUntil(silence.until());
      } else if (agent != null && silence.checkId() == null) {
        agent.silencedUntil(silence.until());
      }
    }
    for (Facts.Action action : restored.pendingActions()) {
      TrackedAgent agent = agents.get(action.agentId());
      if (agent == null || action.issuedAt() == null) {
        continue;
      }
      Command command = new Command(action.commandId(), action.agentId(), action.service(),
        Action.valueOf(action.action().toUpperCase(Locale.ROOT)), action.reason(), action.issuedAt(),
        action.expiresAt(), action.epoch());
      commands.add(command, null, now.plus(answerTimeout));
      agent.checks().values().stream()
        .filter(c -> action.service().equals(c.service()) && c.state().phase() == CheckPhase.ACTING)
        .forEach(c -> commands.forService(agent.id(), action.service()).waiting().add(c));
    }
  }
}
