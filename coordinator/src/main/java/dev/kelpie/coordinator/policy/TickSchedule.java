package dev.kelpie.coordinator.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Which agents a tick must look at, so that its cost follows what changed or fell due, not the size of the fleet:
 * the agents whose next moment ({@link Deadlines}) has come, those an input left for the tick to settle, and, for the
 * dashboard, those whose shown values may have changed since last published (with the agents whose checks depend on
 * theirs, and everyone when the fleet rules' shared causes change, since every failing check's hold may show them).
 */
final class TickSchedule {

  private final Wakeups wakeups = new Wakeups();
  private final Set<TrackedAgent> unsettled = new LinkedHashSet<>();
  private final Set<TrackedAgent> shown = new LinkedHashSet<>();
  private final Map<String, Set<TrackedAgent>> dependents = new HashMap<>();
  private final Map<TrackedAgent, Set<String>> dependsOn = new IdentityHashMap<>();
  private final BiFunction<TrackedAgent, Instant, Instant> next;
  private Object causesShown = List.of();
  private Instant everyoneAt;
  private int ticked;
  private int compared;

  /** {@code next}: the agent's next moment when time alone changes something of it ({@link Deadlines#next}). */
  TickSchedule(BiFunction<TrackedAgent, Instant, Instant> next) {
    this.next = next;
  }

  /** Something of the agent a person sees may have changed, and its next moment may have moved. */
  void changed(TrackedAgent agent, Instant now) {
    shown.add(agent);
    wakeups.at(agent, next.apply(agent, now));
  }

  /** The agent was heard from, and nothing of it a person sees changed: only its next moment may have moved. */
  void heard(TrackedAgent agent, Instant now) {
    wakeups.at(agent, next.apply(agent, now));
  }

  /** Something of the agent a person sees may have changed; nothing that time alone would change. */
  void show(TrackedAgent agent) {
    shown.add(agent);
  }

  /** The next tick goes over the agent whatever its next moment: an input changed its checks and did not settle. */
  void settle(TrackedAgent agent) {
    if (agent != null) {
      unsettled.add(agent);
    }
  }

  /** Every agent is shown again on the next changes (their holds, say, moved all at once). */
  void showAll(Collection<TrackedAgent> agents) {
    shown.addAll(agents);
  }

  /** The agent announced its checks: whom they depend on, on other agents ({@code agent/check}). */
  void announced(TrackedAgent agent) {
    Set<String> before = dependsOn.remove(agent);
    if (before != null) {
      before.forEach(id -> dependents.getOrDefault(id, Set.of()).remove(agent));
    }
    Set<String> owners = new HashSet<>();
    agent.checks().values().forEach(check -> check.spec().rules().dependsOn().forEach(dep -> {
      int slash = dep.indexOf('/');
      if (slash > 0) {
        owners.add(dep.substring(0, slash));
      }
    }));
    if (!owners.isEmpty()) {
      dependsOn.put(agent, owners);
      owners.forEach(id -> dependents.computeIfAbsent(id, k -> Collections.newSetFromMap(new IdentityHashMap<>()))
        .add(agent));
    }
  }

  /** The agent is no longer tracked here. */
  void forget(TrackedAgent agent) {
    wakeups.forget(agent);
    unsettled.remove(agent);
    shown.remove(agent);
    announcedNothing(agent);
  }

  private void announcedNothing(TrackedAgent agent) {
    Set<String> before = dependsOn.remove(agent);
    if (before != null) {
      before.forEach(id -> dependents.getOrDefault(id, Set.of()).remove(agent));
    }
  }

  /**
   * The shared causes as checks' holds show them: when they differ from last time, every agent is shown again.
   * A shared cause trips, clears, grows or is overridden rarely; the cost is then one pass as before.
   */
  void causes(Object now, Collection<TrackedAgent> agents) {
    if (!Objects.equals(now, causesShown)) {
      causesShown = now;
      showAll(agents);
    }
  }

  /** At {@code at} every agent is gone over (a maintenance window begins or ends); null: no such moment. */
  void everyoneAt(Instant at) {
    everyoneAt = at;
  }

  /**
   * The agents this tick goes over: those left to settle, and those whose moment has come and still has something to
   * do (one whose moment moved later, or whose moment only changed what is shown, goes back in line). All of them are
   * compared on the next changes.
   */
  List<TrackedAgent> due(Instant now, Collection<TrackedAgent> agents) {
    Set<TrackedAgent> due = new LinkedHashSet<>(unsettled);
    unsettled.clear();
    if (everyoneAt != null && !now.isBefore(everyoneAt)) {
      everyoneAt = null;
      due.addAll(agents);
    }
    for (TrackedAgent agent : wakeups.due(now)) {
      Instant at = next.apply(agent, now);
      if (at != null && at.isAfter(now)) {
        shown.add(agent);   // a restart that just left its budget's window is no longer a moment, but shows
        wakeups.at(agent, at);
      } else {
        due.add(agent);
      }
    }
    shown.addAll(due);
    ticked = due.size();
    return new ArrayList<>(due);
  }

  /** The agents to compare with what was last published, with those whose checks depend on theirs; then none. */
  Collection<TrackedAgent> shown() {
    if (!dependents.isEmpty()) {   // most fleets have no check depending on another agent's
      for (TrackedAgent agent : new ArrayList<>(shown)) {
        Set<TrackedAgent> watching = dependents.get(agent.id());
        if (watching != null) {
          shown.addAll(watching);
        }
      }
    }
    List<TrackedAgent> result = new ArrayList<>(shown);
    shown.clear();
    compared = result.size();
    return result;
  }

  /** The agents an input changed since the last tick (left to settle, or to be shown), some maybe twice. */
  void pending(Consumer<TrackedAgent> each) {
    unsettled.forEach(each);
    shown.forEach(each);
  }

  /** How many agents the last tick went over, and how many the last changes compared (for tests and benches). */
  int ticked() {
    return ticked;
  }

  int compared() {
    return compared;
  }

  /** Entries in line, stale ones included. */
  int waiting() {
    return wakeups.size();
  }
}
