package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.RulesSettings;
import dev.kelpie.shared.message.CheckSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Failures with a shared cause: the same check id, the same dependency or the same (non-local) target host turning
 * failing on many hosts within a window. Such a cause holds the restarts of every failing check that has it, until
 * none of them fails any more or a person overrides it. One host failing alone never trips it.
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
      Instant from = now.minus(settings.window());
      int recent = (int) hosts.values().stream().filter(since -> !since.isBefore(from)).count();
      if (recent < 2) {
        continue;
      }
      boolean byCount = settings.hosts() > 0 && recent >= settings.hosts();
      int of = byCount || settings.percent() == 0 ? 0 : hostsWith(key, fleet);
      boolean byShare = settings.percent() > 0 && recent * 100 >= settings.percent() * of;
      if (byCount || byShare) {
        of = of == 0 ? hostsWith(key, fleet) : of;
        tripped = new Cause(key, now, recent, of, null);
        active.put(key, tripped);
      }
    }
    return tripped;
  }

  private static int hostsWith(String key, Collection<TrackedAgent> fleet) {
    return (int) fleet.stream().filter(host -> host.checks().values().stream()
      .anyMatch(other -> keys(other).contains(key))).count();
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
    int now = hosts == null ? 0 : hosts.size();
    return now > cause.failing() ? new Cause(cause.key(), cause.since(), now, cause.of(), null) : cause;
  }

  /** Failures on hosts that can no longer be heard (gone, lost) do not keep a cause alive. */
  void forgetUnless(java.util.function.Predicate<String> reachable) {
    if (!active.isEmpty()) {
      failing.values().forEach(hosts -> hosts.keySet().removeIf(agentId -> !reachable.test(agentId)));
    }
  }

  /** The causes whose failures have all cleared: no longer held, to resolve. */
  List<Cause> cleared() {
    List<Cause> cleared = new ArrayList<>();
    active.values().removeIf(cause -> {
      Map<String, Instant> hosts = failing.get(cause.key());
      if (hosts == null || hosts.isEmpty()) {
        cleared.add(cause);
        return true;
      }
      return false;
    });
    return cleared;
  }

  /** A person lets the held restarts go; the cause stays known (and alerted) until its failures clear. */
  Cause override(String key, String by) {
    Cause cause = active.get(key);
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
