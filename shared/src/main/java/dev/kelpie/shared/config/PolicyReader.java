package dev.kelpie.shared.config;

import dev.kelpie.shared.policy.PolicySpec;

import java.time.Duration;
import java.util.List;

/**
 * Reads a {@code policy:} section over defaults, and reports what {@link PolicySpec#problems()} finds impossible at
 * the path of the key that sets it. Interval and timeout are not policy keys: the check gives them.
 */
public final class PolicyReader {

  private static final int MAX_COUNT = 10_000;

  private PolicyReader() {
  }

  /**
   * The policy under {@code owner.key} (absent: the defaults) with the check's interval and timeout. Problems the
   * defaults already have are not repeated: they were reported where the defaults are written.
   */
  public static PolicySpec read(ConfigNode owner, String key, PolicySpec defaults, Duration interval,
                                Duration timeout) {
    return read(owner, key, defaults, interval, timeout, node -> {
    });
  }

  /** The same, with {@code more} reading the keys of the section that only its caller knows (before unknown keys are reported). */
  public static PolicySpec read(ConfigNode owner, String key, PolicySpec defaults, Duration interval,
                                Duration timeout, java.util.function.Consumer<ConfigNode> more) {
    ConfigNode node = owner.child(key);
    PolicySpec spec = node == null ? withTiming(defaults, interval, timeout) : readKeys(node, defaults, interval, timeout);
    if (node != null) {
      more.accept(node);
      node.finish();
    }
    report(owner, key, spec, defaults.problems());
    return spec;
  }

  /** {@code base} with the budget and backoff of {@code owner.key} (a service's {@code restart:} section). */
  public static PolicySpec readRestart(ConfigNode owner, String key, PolicySpec base) {
    ConfigNode node = owner.child(key);
    if (node == null) {
      return base;
    }
    PolicySpec.Budget budget = budget(node.child("budget"), base.budget());
    PolicySpec.Backoff backoff = backoff(node.child("backoff"), base.backoff());
    node.finish();
    return new PolicySpec(base.interval(), base.timeout(), base.failureThreshold(), base.window(),
      base.successThreshold(), base.startupGrace(), base.waitForFirstHealthy(), base.startupDeadline(), budget, backoff,
      base.restart());
  }

  /**
   * Reports each problem of {@code spec} not among {@code inherited}: interval and timeout at {@code owner}, the
   * rest under {@code owner.key}.
   */
  public static void report(ConfigNode owner, String key, PolicySpec spec, List<String> inherited) {
    for (String problem : spec.problems()) {
      if (inherited.contains(problem)) {
        continue;
      }
      int colon = problem.indexOf(": ");
      String field = problem.substring(0, colon);
      String where = field.equals("interval") || field.equals("timeout") ? field : key + "." + field;
      owner.problem(where, problem.substring(colon + 2));
    }
  }

  private static PolicySpec readKeys(ConfigNode node, PolicySpec d, Duration interval, Duration timeout) {
    return new PolicySpec(interval, timeout,
      node.optionalInt("failureThreshold", d.failureThreshold(), 0, MAX_COUNT),
      window(node, d.window()),
      node.optionalInt("successThreshold", d.successThreshold(), 0, MAX_COUNT),
      node.optionalDuration("startupGrace", d.startupGrace()),
      node.optionalBool("waitForFirstHealthy", d.waitForFirstHealthy()),
      node.optionalDuration("startupDeadline", d.startupDeadline()),
      budget(node.child("budget"), d.budget()),
      backoff(node.child("backoff"), d.backoff()),
      node.optionalBool("restart", d.restart()));
  }

  private static PolicySpec.Window window(ConfigNode policy, PolicySpec.Window fallback) {
    ConfigNode node = policy.child("window");
    if (node == null) {
      return fallback;
    }
    Integer failures = node.optionalInt("failures", null, 0, MAX_COUNT);
    Integer of = node.optionalInt("of", null, 0, MAX_COUNT);
    if (!node.has("failures") || !node.has("of")) {
      policy.problem("window", "needs both failures and of, as in {failures: 3, of: 5}");
    }
    node.finish();
    return failures == null || of == null ? fallback : new PolicySpec.Window(failures, of);
  }

  private static PolicySpec withTiming(PolicySpec d, Duration interval, Duration timeout) {
    return new PolicySpec(interval, timeout, d.failureThreshold(), d.window(), d.successThreshold(), d.startupGrace(),
      d.waitForFirstHealthy(), d.startupDeadline(), d.budget(), d.backoff(), d.restart());
  }

  private static PolicySpec.Budget budget(ConfigNode node, PolicySpec.Budget d) {
    if (node == null) {
      return d;
    }
    PolicySpec.Budget budget = new PolicySpec.Budget(node.optionalInt("restarts", d.restarts(), 0, MAX_COUNT),
      node.optionalDuration("per", d.per()));
    node.finish();
    return budget;
  }

  private static PolicySpec.Backoff backoff(ConfigNode node, PolicySpec.Backoff d) {
    if (node == null) {
      return d;
    }
    PolicySpec.Backoff backoff = new PolicySpec.Backoff(node.optionalDuration("initial", d.initial()),
      node.optionalNumber("factor", d.factor()), node.optionalDuration("max", d.max()),
      node.optionalDuration("resetAfter", d.resetAfter()));
    node.finish();
    return backoff;
  }
}
