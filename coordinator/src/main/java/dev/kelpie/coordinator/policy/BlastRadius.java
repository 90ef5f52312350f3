package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.RulesSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * How many restarts may run at once, across the fleet and per label group, like a disruption budget: a restart runs
 * from its command until the agent's answer; the services kept waiting go in the order they first asked.
 */
final class BlastRadius {

  private record Running(String agentId, String service, List<String> groups) {
  }

  /** A service waiting its turn: since when, and why (shown). */
  record Waiting(String agentId, String service, Instant since, String why, List<String> groups) {
  }

  private final RulesSettings settings;
  private final Map<String, Running> running = new LinkedHashMap<>();
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private final Map<String, Integer> sizes = new HashMap<>();

  BlastRadius(RulesSettings settings) {
    this.settings = settings;
  }

  /** Why a restart must wait; a rule in shadow mode only says why it would have. */
  record Wait(String why, boolean shadow) {
  }

  /**
   * Why the service must wait (null: it may go now). {@code stillRunning} tells whether a restart counted as running
   * is still on its way; {@code hosts} are the fleet's agents, to size the groups.
   */
  Wait admit(TrackedAgent agent, String service, Instant now, BiPredicate<String, String> stillRunning,
             Collection<TrackedAgent> hosts) {
    running.values().removeIf(r -> !stillRunning.test(r.agentId(), r.service()));
    String key = RestartGate.key(agent.id(), service);
    List<String> ahead = new ArrayList<>();
    for (String other : waiting.keySet()) {
      if (other.equals(key)) {
        break;
      }
      ahead.add(other);
    }
    Wait wait = fleetLimit(ahead.size());
    if (wait == null) {
      wait = groupLimit(agent, ahead, hosts);
    }
    if (wait == null || wait.shadow()) {
      waiting.remove(key);
      return wait;
    }
    Waiting before = waiting.get(key);
    waiting.put(key, new Waiting(agent.id(), service, before == null ? now : before.since(), wait.why(),
      groupsOf(agent)));
    return wait;
  }

  void started(TrackedAgent agent, String service) {
    running.put(RestartGate.key(agent.id(), service), new Running(agent.id(), service, groupsOf(agent)));
  }

  /** Group sizes are counted again after this (hosts come and go). */
  void recount() {
    sizes.clear();
  }

  /** A waiting service that no longer needs its restart leaves the line. */
  void forget(String key) {
    waiting.remove(key);
  }

  Collection<Waiting> waiting() {
    return waiting.values();
  }

  int running() {
    return running.size();
  }

  private Wait fleetLimit(int ahead) {
    int max = settings.inFlight().max();
    if (max > 0 && running.size() + ahead >= max) {
      return new Wait("waiting: " + running.size() + " restarts already running in the fleet (at most " + max + ")"
        + (ahead > 0 ? ", " + ahead + " waiting before it" : ""), settings.inFlight().shadow());
    }
    return null;
  }

  private Wait groupLimit(TrackedAgent agent, List<String> ahead, Collection<TrackedAgent> hosts) {
    for (String group : groupsOf(agent)) {
      RulesSettings.Group rule = rule(group);
      int size = sizes.computeIfAbsent(group, g -> (int) hosts.stream().filter(host -> groupsOf(host).contains(g))
        .count());
      int limit = limit(rule, size);
      long inGroup = running.values().stream().filter(r -> r.groups().contains(group)).count();
      long waitingAhead = 0;
      for (String key : ahead) {
        if (waiting.get(key).groups().contains(group)) {
          waitingAhead++;
        }
      }
      if (inGroup + waitingAhead >= limit) {
        return new Wait("waiting: " + inGroup + " restarts already running in " + group + " (at most " + limit
          + " of its " + size + " hosts)", rule.shadow());
      }
    }
    return null;
  }

  private RulesSettings.Group rule(String group) {
    for (RulesSettings.Group rule : settings.groups()) {
      if (group.startsWith(rule.label() + "=") && (rule.value() == null || group.equals(rule.name(rule.value())))) {
        return rule;
      }
    }
    throw new IllegalStateException("no rule for group " + group);
  }

  private static int limit(RulesSettings.Group rule, int size) {
    int byPercent = rule.percent() > 0 ? Math.max(1, size * rule.percent() / 100) : Integer.MAX_VALUE;
    int byCount = rule.max() > 0 ? rule.max() : Integer.MAX_VALUE;
    return Math.min(byPercent, byCount);
  }

  /** The groups an agent is in: for each group rule, the value its checks carry for the rule's label. */
  List<String> groupsOf(TrackedAgent agent) {
    List<String> groups = new ArrayList<>();
    for (RulesSettings.Group rule : settings.groups()) {
      for (TrackedCheck check : agent.checks().values()) {
        String value = check.spec().labels().get(rule.label());
        if (value != null && (rule.value() == null || rule.value().equals(value))) {
          if (!groups.contains(rule.name(value))) {
            groups.add(rule.name(value));
          }
          break;
        }
      }
    }
    return groups;
  }
}
