package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.cluster.FleetShare;
import dev.kelpie.coordinator.cluster.PeerShares;
import dev.kelpie.coordinator.config.RulesSettings;
import dev.kelpie.shared.message.CheckSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failures with a shared cause: the same check id, the same dependency or the same (non-local) target host turning
 * failing on many hosts within a window. Such a cause holds the restarts of every failing check that has it, until
 * none of them fails any more or a person overrides it. One host failing alone never trips it.
 *
 * <p>Among clustered coordinators the hosts are the fleet's: each node adds what the others see of a cause
 * ({@link PeerShares}: hosts failing it, recently, and having it) to its own hosts, when a failure of its own comes in
 * and on every tick ({@link #reconsider}), so a cause split over nodes, none of which reaches the threshold alone, holds
 * the restarts on all of them. A cause stays until its failures cleared on every node; a release on one node is taken
 * up by the others; only the first node to find a cause alerts it (two finding it in the same instant both do); if
 * that node leaves before it clears, the node that found it next resolves it.
 */
final class CorrelatedFailures {

  /** A shared cause found: what the hosts have in common, since when, on how many of how many hosts. */
  record Cause(String key, Instant since, int failing, int of, String overriddenBy) {

    String name() {
      int colon = key.indexOf(':');
      return key.substring(0, colon) + " " + key.substring(colon + 1);
    }

    String summary() {
      return name() + " failing on " + failing + " of " + of + " hosts at once";
    }
  }

  private static final Pattern HOST =
    Pattern.compile("(?:://|^tcp |^[a-z]+ )\\[?([A-Za-z0-9.:-]+?)\\]?(?::\\d+)?(?:[/\\s]|$)");

  private final RulesSettings.Correlated settings;
  private final Map<String, Map<String, Instant>> failing = new HashMap<>();
  private final Map<String, Cause> active = new LinkedHashMap<>();
  private final Set<String> quiet = new java.util.HashSet<>();
  private PeerShares peers = PeerShares.alone();

  CorrelatedFailures(RulesSettings.Correlated settings) {
    this.settings = settings;
  }

  /**
   * What the check may share with the same check elsewhere: its id, the checks it depends on, its target's host
   * unless local (every host has its own localhost).
   */
  static List<String> keys(TrackedCheck check) {
    return check.correlationKeys(CorrelatedFailures::keysOf);
  }

  private static List<String> keysOf(CheckSpec spec) {
    List<String> keys = new ArrayList<>();
    spec.rules().dependsOn().forEach(dep -> keys.add("check:" + dep));
    keys.add("check:" + spec.id());
    String host = targetHost(spec.target());
    if (host != null) {
      keys.add("target:" + host);
    }
    return List.copyOf(keys);
  }

  static String targetHost(String target) {
    if (target == null) {
      return null;
    }
    Matcher matcher = HOST.matcher(target);
    if (!matcher.find()) {
      return null;
    }
    String host = matcher.group(1);
    boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("0.0.0.0");
    return local ? null : host;
  }

  /**
   * A result of a check: a failure is remembered with the time it began, a success forgets it. Returns the cause that
   * this failure trips (to alert once), or null.
   */
  Cause observe(TrackedAgent agent, TrackedCheck check, boolean up, Instant now, Collection<TrackedAgent> fleet) {
    if (!settings.on()) {
      return null;
    }
    Cause tripped = null;
    for (String key : keys(check)) {
      if (up) {
        Map<String, Instant> hosts = failing.get(key);
        if (hosts != null) {
          hosts.remove(agent.id());
        }
        continue;
      }
      Map<String, Instant> hosts = failing.computeIfAbsent(key, k -> new HashMap<>());
      if (hosts.putIfAbsent(agent.id(), now) != null || tripped != null || covered(check) != null) {
        continue;
      }
      tripped = trip(key, hosts, now, fleet);
    }
    return tripped;
  }

  /**
   * The causes the other nodes' hosts now tip over (with this node's failing ones), to alert once; none alone. Only
   * causes with a failing host here: a node with none has nothing to hold.
   */
  List<Cause> reconsider(Instant now, Collection<TrackedAgent> fleet) {
    List<Cause> tripped = new ArrayList<>();
    answerForTheDeparted();
    if (!settings.on() || peers.none()) {
      return tripped;
    }
    failing.forEach((key, hosts) -> {
      if (!hosts.isEmpty() && !active.containsKey(key) && peers.cause(key).recent() > 0) {
        Cause cause = trip(key, hosts, now, fleet);
        if (cause != null) {
          tripped.add(cause);
        }
      }
    });
    active.replaceAll((key, cause) -> {   // a release on another node holds here too
      String by = cause.overriddenBy() == null ? peers.cause(key).overriddenBy() : null;
      return by == null ? cause : new Cause(key, cause.since(), cause.failing(), cause.of(), by);
    });
    return tripped;
  }

  /**
   * A cause held here quietly was alerted by the node that found it first. If that node is gone (no node still here
   * reports finding it before this one did), its resolution is this node's: it is no longer quiet, and its clearing is
   * alerted from here. Among several quiet nodes the one that found it next takes it over, the others stay quiet. A
   * cause no longer failing anywhere is not taken over: the node that found it has resolved it as it dropped it.
   */
  private void answerForTheDeparted() {
    quiet.removeIf(key -> {
      Cause cause = active.get(key);
      FleetShare.Cause elsewhere = peers.cause(key);
      Map<String, Instant> hosts = failing.get(key);
      boolean stillFailing = elsewhere.failing() > 0 || hosts != null && !hosts.isEmpty();
      return cause != null && stillFailing
        && (elsewhere.since() == null || Instant.parse(elsewhere.since()).isAfter(cause.since()));
    });
  }

  /** Whether the cause's recent failures here and on the other nodes trip it; the cause to alert, or null. */
  private Cause trip(String key, Map<String, Instant> hosts, Instant now, Collection<TrackedAgent> fleet) {
    Instant from = now.minus(settings.window());
    FleetShare.Cause elsewhere = peers.cause(key);
    int recent = (int) hosts.values().stream().filter(since -> !since.isBefore(from)).count() + elsewhere.recent();
    if (recent < 2) {
      return null;
    }
    boolean byCount = settings.hosts() > 0 && recent >= settings.hosts();
    int of = byCount || settings.percent() == 0 ? 0 : hostsWith(key, fleet) + elsewhere.hosts();
    boolean byShare = settings.percent() > 0 && recent * 100 >= settings.percent() * of;
    if (!byCount && !byShare) {
      return null;
    }
    of = of == 0 ? hostsWith(key, fleet) + elsewhere.hosts() : of;
    Cause tripped = new Cause(key, now, recent, of, null);
    active.put(key, tripped);
    if (elsewhere.since() != null) {
      quiet.add(key);   // another node found it first and alerted it
      return null;
    }
    return tripped;
  }

  private static int hostsWith(String key, Collection<TrackedAgent> fleet) {
    return (int) fleet.stream().filter(host -> host.checks().values().stream()
      .anyMatch(other -> keys(other).contains(key))).count();
  }

  /** The other coordinators' shares, counted with this node's hosts. */
  void peers(PeerShares shares) {
    peers = shares;
  }

  /**
   * What this node sees of each cause it has a failing host for, or that another node asks about: its reachable hosts
   * failing it, recently, and having it, and the cause if tripped here.
   */
  Map<String, FleetShare.Cause> share(Instant now, Predicate<String> reachable, Collection<TrackedAgent> fleet) {
    Map<String, FleetShare.Cause> share = new HashMap<>();
    if (!settings.on()) {
      return share;
    }
    Instant from = now.minus(settings.window());
    Set<String> keys = new java.util.TreeSet<>();
    for (String key : peers.causes()) {
      FleetShare.Cause elsewhere = peers.cause(key);
      if (elsewhere.failing() > 0 || elsewhere.since() != null) {
        keys.add(key);   // the others need this node's hosts having it (a percent of the fleet's)
      }
    }
    failing.forEach((key, hosts) -> {
      if (!hosts.isEmpty()) {
        keys.add(key);
      }
    });
    for (String key : keys) {
      Map<String, Instant> hosts = failing.getOrDefault(key, Map.of());
      int failingNow = 0;
      int recent = 0;
      for (Map.Entry<String, Instant> host : hosts.entrySet()) {
        if (reachable.test(host.getKey())) {
          failingNow++;
          recent += host.getValue().isBefore(from) ? 0 : 1;
        }
      }
      Cause cause = active.get(key);
      share.put(key, new FleetShare.Cause(failingNow, recent, hostsWith(key, fleet),
        cause == null ? null : cause.since().toString(), cause == null ? null : cause.overriddenBy()));
    }
    return share;
  }

  /** The cause holding this check's restarts (an overridden one no longer holds), or null. */
  Cause holding(TrackedCheck check) {
    Cause cause = covered(check);
    return cause == null || cause.overriddenBy() != null ? null : cause;
  }

  private Cause covered(TrackedCheck check) {
    if (active.isEmpty()) {
      return null;
    }
    for (String key : keys(check)) {
      Cause cause = active.get(key);
      if (cause != null) {
        return cause.overriddenBy() == null ? current(cause) : cause;
      }
    }
    return null;
  }

  private Cause current(Cause cause) {
    Map<String, Instant> hosts = failing.get(cause.key());
    int now = (hosts == null ? 0 : hosts.size()) + peers.cause(cause.key()).failing();
    return now > cause.failing() ? new Cause(cause.key(), cause.since(), now, cause.of(), null) : cause;
  }

  /** Failures on hosts that can no longer be heard (gone, lost) do not keep a cause alive. */
  void forgetUnless(java.util.function.Predicate<String> reachable) {
    if (!active.isEmpty()) {
      failing.values().forEach(hosts -> hosts.keySet().removeIf(agentId -> !reachable.test(agentId)));
    }
  }

  /** The causes whose failures have all cleared (on every node): no longer held, to resolve if alerted here. */
  List<Cause> cleared() {
    List<Cause> cleared = new ArrayList<>();
    active.values().removeIf(cause -> {
      Map<String, Instant> hosts = failing.get(cause.key());
      if ((hosts == null || hosts.isEmpty()) && peers.cause(cause.key()).failing() == 0) {
        if (!quiet.remove(cause.key())) {
          cleared.add(cause);
        }
        return true;
      }
      return false;
    });
    return cleared;
  }

  /** A person lets the held restarts go; the cause stays known (and alerted) until its failures clear. */
  Cause override(String key, String by) {
    Cause cause = active.get(key);
    FleetShare.Cause elsewhere = peers.cause(key);
    if (cause == null && elsewhere.since() != null) {
      // held on other nodes only: released here, so they take the release up from this node's share
      cause = new Cause(key, Instant.parse(elsewhere.since()), elsewhere.failing(), elsewhere.hosts(), null);
      quiet.add(key);
    }
    if (cause == null) {
      return null;
    }
    Cause overridden = new Cause(cause.key(), cause.since(), cause.failing(), cause.of(), by);
    active.put(key, overridden);
    return overridden;
  }

  Collection<Cause> active() {
    return active.values().stream().map(cause -> cause.overriddenBy() == null ? current(cause) : cause).toList();
  }

  boolean shadow() {
    return settings.shadow();
  }
}
