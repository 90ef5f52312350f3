package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.cluster.PeerShares;
import dev.kelpie.coordinator.config.RulesSettings;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * How many restarts may run at once, across the fleet and per label group, like a disruption budget: a restart runs
 * from its command until the agent's answer; the services kept waiting go in the order they first asked.
 *
 * <p>Among clustered coordinators the limits are the fleet's: the other nodes' restarts running count
 * ({@link PeerShares}), and so do the ones waiting on the nodes before this one (lower node id). A restart goes only
 * once every other node has said it heard of it waiting here ({@link #version}): two nodes wanting the last place at
 * the same instant both hear of each other before either takes it, and the one after lets the one before go (messages
 * between two nodes arrive in order, so an acknowledgement carries what its sender ran by then). So the limit holds
 * across the cluster, at the cost of one more decision of the check (its next failure) per restart; a node that just
 * joined is waited for until heard (at most the shares' staleness), one silent that long is no longer counted (its
 * agents move within the lease term). Alone, nothing waits for anyone: the limits count this node's restarts, as
 * before.
 */
final class BlastRadius {

  private record Running(String agentId, String service, List<String> groups) {
  }

  /** A service waiting its turn: since when, and why (shown); {@code version}: this node's share that first told it. */
  record Waiting(String agentId, String service, Instant since, String why, List<String> groups, long version) {
  }

  private final RulesSettings settings;
  private final Map<String, Running> running = new LinkedHashMap<>();
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private final Map<String, Integer> sizes = new HashMap<>();
  /** The running restarts whose command ended since the last prune: only these can have stopped running. */
  private final Set<String> mayHaveEnded = new HashSet<>();
  private PeerShares peers = PeerShares.alone();
  private long version;

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
    prune(stillRunning);
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
    Waiting before = waiting.get(key);
    if (wait == null && peers.clustered() && limited() && (before == null || !peers.allHeard(before.version()))) {
      wait = new Wait("waiting: telling the other coordinators first (restarts are limited across the fleet)", false);
    }
    if (wait == null || wait.shadow()) {
      if (waiting.remove(key) != null) {
        version++;
      }
      return wait;
    }
    if (before == null) {
      version++;
    }
    waiting.put(key, new Waiting(agent.id(), service, before == null ? now : before.since(), wait.why(),
      groupsOf(agent), before == null ? version : before.version()));
    return wait;
  }

  void started(TrackedAgent agent, String service) {
    running.put(RestartGate.key(agent.id(), service), new Running(agent.id(), service, groupsOf(agent)));
    version++;
  }

  /**
   * Restarts answered meanwhile no longer run. Only those whose command ended since the last prune are asked
   * ({@link #commandEnded}): a prune per restart decided costs what ended, not what runs.
   */
  void prune(BiPredicate<String, String> stillRunning) {
    if (mayHaveEnded.isEmpty()) {
      return;
    }
    boolean pruned = false;
    for (String key : mayHaveEnded) {
      Running r = running.get(key);
      if (r != null && !stillRunning.test(r.agentId(), r.service())) {
        running.remove(key);
        pruned = true;
      }
    }
    mayHaveEnded.clear();
    if (pruned) {
      version++;
    }
  }

  /** A command on the service was answered, given up on or not delivered: its restart may no longer run. */
  void commandEnded(String agentId, String service) {
    String key = RestartGate.key(agentId, service);
    if (running.containsKey(key)) {
      mayHaveEnded.add(key);
    }
  }

  /** The agent is no longer tracked here: its restarts may no longer count. */
  void agentLeft(String agentId) {
    running.forEach((key, r) -> {
      if (r.agentId().equals(agentId)) {
        mayHaveEnded.add(key);
      }
    });
  }

  /** The other coordinators' shares, counted with this node's restarts. */
  void peers(PeerShares shares) {
    peers = shares;
  }

  /** Grows whenever the restarts running or waiting here change: what the other nodes must hear before one goes. */
  long version() {
    return version;
  }

  /** This node's restarts running and waiting, in all and per group, and its hosts per group (for percents). */
  void share(Map<String, Integer> runningIn, Map<String, Integer> waitingIn, Map<String, Integer> hostsIn,
             Collection<TrackedAgent> hosts) {
    running.values().forEach(r -> r.groups().forEach(g -> runningIn.merge(g, 1, Integer::sum)));
    waiting.values().forEach(w -> w.groups().forEach(g -> waitingIn.merge(g, 1, Integer::sum)));
    if (!settings.groups().isEmpty()) {
      hosts.forEach(host -> groupsOf(host).forEach(g -> hostsIn.merge(g, 1, Integer::sum)));
    }
  }

  /** Whether a limit is enforced (one in shadow mode holds nothing, so nothing waits to be heard for it). */
  private boolean limited() {
    return settings.inFlight().max() > 0 && !settings.inFlight().shadow()
      || settings.groups().stream().anyMatch(group -> !group.shadow());
  }

  /** Group sizes are counted again after this (hosts come and go). */
  void recount() {
    sizes.clear();
  }

  /** A waiting service that no longer needs its restart leaves the line. */
  void forget(String key) {
    if (waiting.remove(key) != null) {
      version++;
    }
  }

  Collection<Waiting> waiting() {
    return waiting.values();
  }

  int running() {
    return running.size();
  }

  /** Restarts running across the fleet: here and on the other coordinators. */
  int runningInFleet() {
    return running.size() + peers.running();
  }

  private Wait fleetLimit(int ahead) {
    int max = settings.inFlight().max();
    int inFleet = runningInFleet();
    int before = ahead + peers.waitingBefore();
    if (max > 0 && inFleet + before >= max) {
      return new Wait("waiting: " + inFleet + " restarts already running in the fleet (at most " + max + ")"
        + (before > 0 ? ", " + before + " waiting before it" : ""), settings.inFlight().shadow());
    }
    return null;
  }

  private Wait groupLimit(TrackedAgent agent, List<String> ahead, Collection<TrackedAgent> hosts) {
    for (String group : groupsOf(agent)) {
      RulesSettings.Group rule = rule(group);
      int size = sizes.computeIfAbsent(group, g -> (int) hosts.stream().filter(host -> groupsOf(host).contains(g))
        .count() + peers.hostsIn(g));
      int limit = limit(rule, size);
      long inGroup = running.values().stream().filter(r -> r.groups().contains(group)).count()
        + peers.runningIn(group);
      long waitingAhead = peers.waitingBeforeIn(group);
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
