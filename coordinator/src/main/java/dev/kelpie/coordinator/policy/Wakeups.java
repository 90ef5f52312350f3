package dev.kelpie.coordinator.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * When each agent next needs the tick, soonest first, so a tick looks at the agents whose moment has come and not at
 * the whole fleet. A moment only ever moves earlier here; one that moved later is found out when it comes (the agent
 * is asked again and goes back in line), and one replaced by an earlier one is skipped (lazy deletion).
 */
final class Wakeups {

  private record Entry(Instant at, TrackedAgent agent) {
  }

  private final PriorityQueue<Entry> queue = new PriorityQueue<>(Comparator.comparing(Entry::at));
  private final Map<TrackedAgent, Instant> soonest = new IdentityHashMap<>();

  /** The agent needs the tick at {@code when} (null: never, as far as time alone goes). */
  void at(TrackedAgent agent, Instant when) {
    if (when == null) {
      return;
    }
    Instant known = soonest.get(agent);
    if (known == null || when.isBefore(known)) {
      soonest.put(agent, when);
      queue.add(new Entry(when, agent));
    }
  }

  /** The agents whose moment has come, each once, taken out of line. */
  List<TrackedAgent> due(Instant now) {
    List<TrackedAgent> due = new ArrayList<>();
    while (!queue.isEmpty() && !queue.peek().at().isAfter(now)) {
      Entry entry = queue.poll();
      if (entry.at().equals(soonest.get(entry.agent()))) {
        soonest.remove(entry.agent());
        due.add(entry.agent());
      }
    }
    return due;
  }

  /** An agent no longer tracked here. */
  void forget(TrackedAgent agent) {
    soonest.remove(agent);
  }

  /** How many entries wait, stale ones included (for a test: the line does not grow without bound). */
  int size() {
    return queue.size();
  }
}
