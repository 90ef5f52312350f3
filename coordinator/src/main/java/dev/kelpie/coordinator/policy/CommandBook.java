package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.Command;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Commands sent and not answered yet: at most one per (agent, service), with the checks waiting on it. */
final class CommandBook {

  /** A command on its way, and the checks whose decision it carries out. */
  record Pending(Command command, List<TrackedCheck> waiting, Instant answerDeadline) {
  }

  private final Map<String, Pending> byId = new HashMap<>();
  private final Map<String, Pending> byService = new HashMap<>();

  Pending forService(String agentId, String service) {
    return byService.get(key(agentId, service));
  }

  void add(Command command, TrackedCheck check, Instant answerDeadline) {
    List<TrackedCheck> waiting = new ArrayList<>();
    if (check != null) {
      waiting.add(check);
    }
    Pending pending = new Pending(command, waiting, answerDeadline);
    byId.put(command.id(), pending);
    byService.put(key(command.agentId(), command.service()), pending);
  }

  /** The command {@code commandId}, if it is pending. */
  Pending pending(String commandId) {
    return byId.get(commandId);
  }

  Pending finish(String commandId) {
    Pending pending = byId.remove(commandId);
    if (pending != null) {
      byService.remove(key(pending.command().agentId(), pending.command().service()), pending);
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
        byService.remove(key(pending.command().agentId(), pending.command().service()), pending);
        overdue.add(pending);
      }
    }
    return overdue;
  }

  int size() {
    return byId.size();
  }

  private static String key(String agentId, String service) {
    return agentId + '\u0000' + service;
  }
}
