package dev.kelpie.shared.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of one check's policy. Defaults follow the classic watchdog: probe every 3 s, 3 failures in a row
 * restart the service, at most 3 restarts an hour, then give up and wait for a person.
 *
 * @param interval            time between probes
 * @param timeout             how long one probe may take
 * @param failureThreshold    consecutive failures that cross the threshold
 * @param window              optional "k failures of the last n results" threshold, checked besides the consecutive one
 * @param successThreshold    consecutive successes that end a failing streak
 * @param startupGrace        after every (re)start, failures are not counted for this long
 * @param waitForFirstHealthy after a (re)start, count failures only once the service has answered healthy once...
 * @param startupDeadline     ...unless it is still not healthy this long after the start: then act anyway
 * @param budget              at most this many restarts in a sliding window, then give up
 * @param backoff             the least time between two restarts, growing, reset after a stable period
 * @param restart             whether crossing the threshold restarts the check's service (else it only reports)
 */
public record PolicySpec(Duration interval, Duration timeout, int failureThreshold, Window window,
                         int successThreshold, Duration startupGrace, boolean waitForFirstHealthy,
                         Duration startupDeadline, Budget budget, Backoff backoff, boolean restart) {

  /** Crossed when {@code failures} of the last {@code of} results failed. */
  public record Window(int failures, int of) {
  }

  /** At most {@code restarts} restarts in any period of length {@code per}. */
  public record Budget(int restarts, Duration per) {
  }

  /**
   * The second restart after a stable period waits {@code initial}, each next one {@code factor} times more, up to
   * {@code max}; a healthy stretch of {@code resetAfter} starts over.
   */
  public record Backoff(Duration initial, double factor, Duration max, Duration resetAfter) {

    public Duration delayBefore(int restartsSinceStable) {
      if (restartsSinceStable <= 0) {
        return Duration.ZERO;
      }
      double millis = initial.toMillis() * Math.pow(factor, restartsSinceStable - 1);
      return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
  }

  public static PolicySpec defaults() {
    return new PolicySpec(Duration.ofSeconds(3), Duration.ofSeconds(2), 3, null, 1, Duration.ofSeconds(5), true,
      Duration.ofSeconds(60), new Budget(3, Duration.ofHours(1)),
      new Backoff(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(1), Duration.ofMinutes(10)), true);
  }

  /**
   * How old a result may be and still be acted on: a result replayed after a disconnection is history, not a
   * reason to kill what may be healthy by now.
   */
  public Duration staleAfter() {
    return interval.plus(interval).plus(timeout);   // not multipliedBy: it goes through BigDecimal, on every result
  }

  /** Everything impossible about these knobs, each as "field: problem"; empty when the policy can work. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    positive(problems, "interval", interval);
    positive(problems, "timeout", timeout);
    if (failureThreshold < 1) {
      problems.add("failureThreshold: must be at least 1, got " + failureThreshold);
    }
    if (successThreshold < 1) {
      problems.add("successThreshold: must be at least 1, got " + successThreshold);
    }
    if (window != null) {
      if (window.of() < 1) {
        problems.add("window.of: must be at least 1, got " + window.of());
      }
      if (window.failures() < 1 || window.failures() > window.of()) {
        problems.add("window.failures: must be between 1 and window.of (" + window.of() + "), got "
          + window.failures());
      }
    }
    notNegative(problems, "startupGrace", startupGrace);
    notNegative(problems, "startupDeadline", startupDeadline);
    if (waitForFirstHealthy && startupDeadline.compareTo(startupGrace) < 0) {
      problems.add("startupDeadline: must not be shorter than startupGrace (" + startupGrace + ")");
    }
    if (budget.restarts() < 0) {
      problems.add("budget.restarts: must not be negative, got " + budget.restarts());
    }
    positive(problems, "budget.per", budget.per());
    notNegative(problems, "backoff.initial", backoff.initial());
    if (backoff.factor() < 1.0) {
      problems.add("backoff.factor: must be at least 1, got " + backoff.factor());
    }
    if (backoff.max().compareTo(backoff.initial()) < 0) {
      problems.add("backoff.max: must not be shorter than backoff.initial (" + backoff.initial() + ")");
    }
    positive(problems, "backoff.resetAfter", backoff.resetAfter());
    return problems;
  }

  private static void positive(List<String> problems, String field, Duration value) {
    if (value.isZero() || value.isNegative()) {
      problems.add(field + ": must be longer than zero, got " + value);
    }
  }

  private static void notNegative(List<String> problems, String field, Duration value) {
    if (value.isNegative()) {
      problems.add(field + ": must not be negative, got " + value);
    }
  }
}
