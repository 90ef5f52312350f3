package dev.kelpie.coordinator.config;

import java.time.Duration;
import java.util.List;

/**
 * The fleet rules: what the coordinator holds back that no single host can judge. Each rule may be in {@code shadow}
 * mode: judged, and what it would have held recorded and shown, but nothing is held. A zero turns a rule off.
 *
 * @param inFlight   at most this many restarts running at once across the fleet (0: no limit)
 * @param groups     limits per label group
 * @param correlated when the same check fails on many hosts at once, restarts are held
 * @param flapping   a service restarted too often is held, with a growing backoff
 */
public record RulesSettings(InFlight inFlight, List<Group> groups, Correlated correlated, Flapping flapping) {

  public record InFlight(int max, boolean shadow) {
  }

  /**
   * Restarts at once among the hosts whose checks carry {@code label} ({@code role=web}: that value; {@code role}: each
   * value its own group): at most {@code max}, and at most {@code percent} % of the group's hosts (at least one).
   */
  public record Group(String label, String value, int max, int percent, boolean shadow) {

    public String name(String valueSeen) {
      return label + "=" + valueSeen;
    }
  }

  /**
   * The same check (by id, by a dependency it declares, by a non-local target host) turning failing on {@code hosts}
   * hosts, or on {@code percent} % of the hosts that have it (and at least two), within {@code window}.
   */
  public record Correlated(int hosts, int percent, Duration window, boolean shadow) {

    public boolean on() {
      return hosts > 0 || percent > 0;
    }
  }

  /** A service restarted {@code restarts} times within {@code window} is held for {@code backoff}, doubling. */
  public record Flapping(int restarts, Duration window, Duration backoff, boolean shadow) {

    public boolean on() {
      return restarts > 0;
    }
  }

  public static final RulesSettings NONE = new RulesSettings(new InFlight(0, false), List.of(),
    new Correlated(0, 0, Duration.ofMinutes(2), false),
    new Flapping(0, Duration.ofMinutes(10), Duration.ofMinutes(5), false));
}
