package dev.kelpie.shared.config;

import dev.kelpie.shared.policy.PolicySpec;

import java.time.Duration;

/** Reads a {@code policy:} section over defaults, and reports what {@link PolicySpec#problems()} finds impossible. */
public final class PolicyReader {

  private PolicyReader() {
  }

  /** The policy under {@code node} (may be null: the defaults), with interval and timeout given by the check. */
  public static PolicySpec read(ConfigNode node, PolicySpec defaults, Duration interval, Duration timeout) {
    PolicySpec spec = node == null ? withTiming(defaults, interval, timeout) : readKeys(node, defaults, interval, timeout);
    if (node != null) {
      node.finish();
      spec.problems().forEach(problem -> {
        int colon = problem.indexOf(':');
        node.problem(problem.substring(0, colon), problem.substring(colon + 2));
      });
    }
    return spec;
  }

  /** Only budget and backoff, as a service's {@code restart:} section gives them. */
  public static PolicySpec readRestart(ConfigNode node, PolicySpec base) {
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

  private static PolicySpec readKeys(ConfigNode node, PolicySpec d, Duration interval, Duration timeout) {
    ConfigNode window = node.child("window");
    PolicySpec.Window w = d.window();
    if (window != null) {
      w = new PolicySpec.Window(window.optionalInt("failures", 1, 1, 10_000), window.optionalInt("of", 1, 1, 10_000));
      if (!window.has("failures") || !window.has("of")) {
        node.problem("window", "needs both failures and of, as in {failures: 3, of: 5}");
      }
      window.finish();
    }
    return new PolicySpec(interval, timeout,
      node.optionalInt("failureThreshold", d.failureThreshold(), 0, 10_000),
      w,
      node.optionalInt("successThreshold", d.successThreshold(), 0, 10_000),
      node.optionalDuration("startupGrace", d.startupGrace()),
      node.optionalBool("waitForFirstHealthy", d.waitForFirstHealthy()),
      node.optionalDuration("startupDeadline", d.startupDeadline()),
      budget(node.child("budget"), d.budget()),
      backoff(node.child("backoff"), d.backoff()),
      node.optionalBool("restart", d.restart()));
  }

  private static PolicySpec withTiming(PolicySpec d, Duration interval, Duration timeout) {
    return new PolicySpec(interval, timeout, d.failureThreshold(), d.window(), d.successThreshold(), d.startupGrace(),
      d.waitForFirstHealthy(), d.startupDeadline(), d.budget(), d.backoff(), d.restart());
  }

  private static PolicySpec.Budget budget(ConfigNode node, PolicySpec.Budget d) {
    if (node == null) {
      return d;
    }
    PolicySpec.Budget budget = new PolicySpec.Budget(node.optionalInt("restarts", d.restarts(), -1_000, 10_000),
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
