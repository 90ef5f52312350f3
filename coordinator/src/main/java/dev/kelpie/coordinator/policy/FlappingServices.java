package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.RulesSettings;
import dev.kelpie.shared.policy.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Services restarted too often: {@code restarts} within {@code window} make a service flapping, one incident for the
 * whole run. Its next restart waits {@code backoff}, each one after that twice as long; it stops flapping when a
 * whole window passes without a restart.
 */
final class FlappingServices {

  /** A flapping service: since when, how many restarts, and no restart before {@code notBefore}. */
  record Flap(String agentId, String service, Instant since, int restarts, int level, Instant notBefore) {

    String why(Instant now) {
      return "flapping: " + restarts + " restarts since " + since + "; next restart not before " + notBefore;
    }
  }

  private final RulesSettings.Flapping settings;
  private final Map<String, Deque<Instant>> restarts = new HashMap<>();
  private final Map<String, Flap> flapping = new LinkedHashMap<>();

  FlappingServices(RulesSettings.Flapping settings) {
    this.settings = settings;
  }

  /** The service restarted (by Kelpie or by itself); returns the flap it just began, to alert once, or null. */
  Flap restarted(String agentId, String service, Instant now) {
    if (!settings.on()) {
      return null;
    }
    String key = RestartGate.key(agentId, service);
    Deque<Instant> times = restarts.computeIfAbsent(key, k -> new ArrayDeque<>());
    times.addLast(now);
    while (!times.isEmpty() && times.peekFirst().isBefore(now.minus(settings.window()))) {
      times.removeFirst();
    }
    Flap flap = flapping.get(key);
    if (flap != null) {
      int level = flap.level() + 1;
      flapping.put(key, new Flap(agentId, service, flap.since(), flap.restarts() + 1, level, now.plus(delay(level))));
      return null;
    }
    if (times.size() < settings.restarts()) {
      return null;
    }
    Flap started = new Flap(agentId, service, times.peekFirst(), times.size(), 1, now.plus(delay(1)));
    flapping.put(key, started);
    return started;
  }

  /** The flap holding the service's restart now, or null. */
  Flap holding(String agentId, String service, Instant now) {
    Flap flap = flapping.get(RestartGate.key(agentId, service));
    return flap != null && now.isBefore(flap.notBefore()) ? flap : null;
  }

  boolean flapping(String agentId, String service) {
    return flapping.containsKey(RestartGate.key(agentId, service));
  }

  /** Flaps with no restart for a whole window (and past their hold): over, to resolve. */
  Collection<Flap> calmed(Instant now) {
    Map<String, Flap> over = new LinkedHashMap<>();
    flapping.forEach((key, flap) -> {
      Deque<Instant> times = restarts.get(key);
      Instant last = times == null || times.isEmpty() ? flap.since() : times.peekLast();
      if (!now.isBefore(last.plus(settings.window())) && !now.isBefore(flap.notBefore())) {
        over.put(key, flap);
      }
    });
    over.keySet().forEach(flapping::remove);
    return over.values();
  }

  Collection<Flap> all() {
    return flapping.values();
  }

  boolean shadow() {
    return settings.shadow();
  }

  String describeDelay(int level) {
    return Durations.human(delay(level));
  }

  private Duration delay(int level) {
    Duration delay = settings.backoff().multipliedBy(1L << Math.min(level - 1, 16));
    Duration max = settings.backoff().multipliedBy(64);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
