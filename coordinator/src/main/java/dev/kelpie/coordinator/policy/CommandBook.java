package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.Command;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Commands sent and not answered yet: at most one per (agent, service), with the checks waiting on it. */
final class CommandBook {

  private static final int GAVE_UP_KEPT = 10_000;

  /** A command on its way, and the checks whose decision it carries out. */
  record Pending(Command command, List<TrackedCheck> waiting, Instant answerDeadline) {
  }

  private final Map<String, Pending> byId = new HashMap<>();
  /** By agent, then service: asked for each result, so the question makes no key. */
  private final Map<String, Map<String, Pending>> byService = new HashMap<>();
  private final Map<String, Command> gaveUp = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Command> eldest) {
      return size() > GAVE_UP_KEPT;
    }
  };

  Pending forService(String agentId, String service) {
    Map<String, Pending> ofAgent = byService.get(agentId);
    return ofAgent == null ? null : ofAgent.get(service);
  }

  void add(Command command, TrackedCheck check, Instant answerDeadline) {
    List<TrackedCheck> waiting = new ArrayList<>();
    if (check != null) {
      waiting.add(check);
    }
    Pending pending = new Pending(command, waiting, answerDeadline);
    byId.put(command.id(), pending);
    byService.computeIfAbsent(command.agentId(), id -> new HashMap<>()).put(command.service(), pending);
  }

  /**
   * The command {@code commandId} if it is pending or was given up on lately (its answer may still come, late): a
   * result for any other id answers nothing this coordinator sent.
   */
  Command sent(String commandId) {
    Pending pending = byId.get(commandId);
    return pending != null ? pending.command() : gaveUp.get(commandId);
  }

  Pending finish(String commandId) {
    gaveUp.remove(commandId);
    Pending pending = byId.remove(commandId);
    if (pending != null) {
      forgetService(pending);
    }
    return pending;
  }

  /** Removes and returns the commands whose answer is overdue. */
  List<Pending> overdue(Instant now) {
    List<Pending> overdue = new ArrayList<>();
    Iterator<Pending> it = byId.values().iterator();
    while (it.hasNext()) {
      Pending pending = it.next();
      if (now.isAfter(pending.answerDeadline())) {
        it.remove();
        forgetService(pending);
        gaveUp.put(pending.command().id(), pending.command());
        overdue.add(pending);
      }
    }
    return overdue;
  }

  List<Command> ofAgent(String agentId) {
    List<Command> of = new ArrayList<>();
    for (Pending pending : byId.values()) {
      if (pending.command().agentId().equals(agentId)) {
        of.add(pending.command());
      }
    }
    return of;
  }

  /** Forgets the agent's commands (another coordinator owns it now, and answers them). */
  void forgetAgent(String agentId) {
    byId.values().removeIf(pending -> pending.command().agentId().equals(agentId));
    byService.remove(agentId);
    gaveUp.values().removeIf(command -> command.agentId().equals(agentId));
  }

  int size() {
    return byId.size();
  }

  private void forgetService(Pending pending) {
    Map<String, Pending> ofAgent = byService.get(pending.command().agentId());
    if (ofAgent != null && ofAgent.remove(pending.command().service(), pending) && ofAgent.isEmpty()) {
      byService.remove(pending.command().agentId());
    }
  }
}
