package dev.kelpie.shared.policy;

import java.time.Duration;
import java.time.Instant;

/**
 * The policy of one check as a state machine: results, starts and action outcomes go in, with the time they
 * happen; a {@link Decision} comes out. No clock, no I/O: the caller owns time and carries out the decisions.
 *
 * <pre>
 *   UNKNOWN -> HEALTHY <-> FAILING(n) -> [BACKING_OFF] -> ACTING -> STARTING (grace, then first healthy) -> HEALTHY
 *                                   \-> UNHEALTHY (no restart to do)     \-> GAVE_UP (budget used up; a person resets)
 * </pre>
 */
public final class CheckState {

  private final PolicySpec spec;
  private final RestartBudget budget;
  private final OutcomeWindow window;

  private CheckPhase phase = CheckPhase.UNKNOWN;
  private int consecutiveFailures;
  private int consecutiveSuccesses;
  private int restartsSinceStable;
  private Instant lastRestartAt;
  private Instant restartBeforeLast;
  private Instant healthySince;
  private Instant graceUntil;
  private Instant startupDeadline;
  private Instant restartNotBefore;
  private String pendingReason;
  private String reason;

  public CheckState(PolicySpec spec) {
    this.spec = spec;
    this.budget = new RestartBudget(spec.budget());
    this.window = spec.window() == null ? null : new OutcomeWindow(spec.window().of());
  }

  /**
   * A probe result. {@code age} is how old the result already was when it reached the coordinator (measured on the
   * agent's clock); a result older than {@link PolicySpec#staleAfter()} is counted but never triggers a restart.
   */
  public Decision onResult(Instant now, boolean up, Duration age) {
    boolean stale = age.compareTo(spec.staleAfter()) > 0;
    return switch (phase) {
      case PAUSED, GAVE_UP, ACTING -> Decision.NONE;
      case STARTING -> duringStartup(now, up, stale);
      case BACKING_OFF -> {
        if (up) {
          countSuccess(now);
        }
        yield Decision.NONE;
      }
      default -> up ? countSuccess(now) : countFailure(now, stale);
    };
  }

  /** The check's service was (re)started, by Kelpie or anyone: startup grace begins. */
  public Decision onStarted(Instant now) {
    if (phase == CheckPhase.GAVE_UP) {
      return Decision.NONE;
    }
    phase = CheckPhase.STARTING;
    graceUntil = now.plus(spec.startupGrace());
    startupDeadline = spec.waitForFirstHealthy() ? now.plus(spec.startupDeadline()) : null;
    forgetOutcomes();
    return Decision.NONE;
  }

  /** The restart this check ordered has finished; when it failed, the next failure decides again. */
  public Decision onActionFinished(Instant now, boolean succeeded) {
    if (phase != CheckPhase.ACTING) {
      return Decision.NONE;
    }
    if (succeeded) {
      return onStarted(now);
    }
    phase = CheckPhase.FAILING;
    return Decision.NONE;
  }

  /** Time passes: a backoff delay or a startup deadline may have run out. */
  public Decision onTick(Instant now) {
    if (phase == CheckPhase.BACKING_OFF && !now.isBefore(restartNotBefore)) {
      return restart(now, pendingReason);
    }
    if (phase == CheckPhase.STARTING && startupDeadline != null && !now.isBefore(startupDeadline)) {
      return crossThreshold(now, "not healthy within " + Durations.human(spec.startupDeadline()) + " of its start",
        false);
    }
    return Decision.NONE;
  }

  /**
   * The restart just decided is not carried out (a fleet rule holds it): the budget and the backoff get it back, and
   * the check is failing again, so its next failure decides again.
   */
  public void withdraw() {
    if (phase != CheckPhase.ACTING) {
      return;
    }
    budget.giveBackLast();
    restartsSinceStable = Math.max(0, restartsSinceStable - 1);
    lastRestartAt = restartBeforeLast;
    phase = CheckPhase.FAILING;
  }

  /** The restart just decided is refused because a budget shared with other checks is used up: give up. */
  public Decision refuse(String why) {
    withdraw();
    phase = CheckPhase.GAVE_UP;
    reason = why;
    return Decision.giveUp(why);
  }

  /** The check's service was stopped on purpose: count nothing until it starts again. */
  public void onStopped() {
    if (phase != CheckPhase.GAVE_UP) {
      phase = CheckPhase.PAUSED;
      forgetOutcomes();
    }
  }

  /** A person resets a check that gave up (or any other): the budget and the backoff start over. */
  public void reset() {
    phase = CheckPhase.UNKNOWN;
    budget.clear();
    restartsSinceStable = 0;
    lastRestartAt = null;
    reason = null;
    forgetOutcomes();
  }

  private Decision duringStartup(Instant now, boolean up, boolean stale) {
    if (up) {
      return countSuccess(now);
    }
    consecutiveSuccesses = 0;
    if (now.isBefore(graceUntil)) {
      return Decision.NONE;
    }
    if (startupDeadline != null) {
      return now.isBefore(startupDeadline) ? Decision.NONE : onTick(now);
    }
    return countFailure(now, stale);
  }

  private Decision countSuccess(Instant now) {
    consecutiveFailures = 0;
    consecutiveSuccesses++;
    if (window != null) {
      window.add(false);
    }
    if (phase != CheckPhase.HEALTHY && consecutiveSuccesses >= spec.successThreshold()) {
      phase = CheckPhase.HEALTHY;
      healthySince = now;
      reason = null;
    }
    return Decision.NONE;
  }

  private Decision countFailure(Instant now, boolean stale) {
    consecutiveSuccesses = 0;
    consecutiveFailures++;
    if (window != null) {
      window.add(true);
    }
    if (phase == CheckPhase.HEALTHY || phase == CheckPhase.UNKNOWN || phase == CheckPhase.STARTING) {
      if (healthySince != null && Duration.between(healthySince, now).compareTo(spec.backoff().resetAfter()) >= 0) {
        restartsSinceStable = 0;
      }
      healthySince = null;
      phase = CheckPhase.FAILING;
    }
    String crossed = crossedThreshold();
    if (crossed == null || phase == CheckPhase.UNHEALTHY) {
      return Decision.NONE;
    }
    return crossThreshold(now, crossed, stale);
  }

  private String crossedThreshold() {
    if (consecutiveFailures >= spec.failureThreshold()) {
      return consecutiveFailures + " failures in a row (threshold " + spec.failureThreshold() + ")";
    }
    if (window != null && window.failures() >= spec.window().failures()) {
      return window.failures() + " failures in the last " + spec.window().of() + " results (threshold "
        + spec.window().failures() + " of " + spec.window().of() + ")";
    }
    return null;
  }

  private Decision crossThreshold(Instant now, String why, boolean stale) {
    reason = why;
    if (!spec.restart()) {
      phase = CheckPhase.UNHEALTHY;
      return Decision.NONE;
    }
    if (stale) {
      phase = CheckPhase.FAILING;
      return Decision.NONE;
    }
    if (budget.exhaustedAt(now)) {
      phase = CheckPhase.GAVE_UP;
      reason = why + "; restart budget of " + spec.budget().restarts() + " per "
        + Durations.human(spec.budget().per()) + " used up";
      return Decision.giveUp(reason);
    }
    Instant notBefore = lastRestartAt == null ? now : lastRestartAt.plus(spec.backoff().delayBefore(restartsSinceStable));
    if (now.isBefore(notBefore)) {
      phase = CheckPhase.BACKING_OFF;
      restartNotBefore = notBefore;
      pendingReason = why;
      return Decision.NONE;
    }
    return restart(now, why);
  }

  private Decision restart(Instant now, String why) {
    budget.spend(now);
    restartsSinceStable++;
    restartBeforeLast = lastRestartAt;
    lastRestartAt = now;
    phase = CheckPhase.ACTING;
    reason = why;
    return Decision.restart(why);
  }

  private void forgetOutcomes() {
    consecutiveFailures = 0;
    consecutiveSuccesses = 0;
    if (window != null) {
      window.clear();
    }
  }

  /** What to store so that {@link #restore} can bring this state back after a coordinator restart. */
  public CheckMemory memory(Instant now) {
    return new CheckMemory(phase, consecutiveFailures, budget.spentAt(now), restartsSinceStable, lastRestartAt, healthySince, graceUntil,
      startupDeadline, restartNotBefore, pendingReason, reason);
  }

  public void restore(CheckMemory memory) {
    phase = memory.phase();
    budget.restore(memory.restarts());
    restartsSinceStable = memory.restartsSinceStable();
    lastRestartAt = memory.lastRestartAt();
    healthySince = memory.healthySince();
    graceUntil = memory.graceUntil();
    startupDeadline = memory.startupDeadline();
    restartNotBefore = memory.restartNotBefore();
    pendingReason = memory.pendingReason();
    reason = memory.reason();
    forgetOutcomes();
    consecutiveFailures = memory.consecutiveFailures();
  }

  public PolicySpec spec() {
    return spec;
  }

  public CheckPhase phase() {
    return phase;
  }

  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  public int restartsUsed(Instant now) {
    return budget.usedAt(now);
  }

  /** When {@link #restartsUsed} next falls, a restart leaving the budget's window; null when none is in it. */
  public Instant restartsFallAt(Instant now) {
    return budget.nextExpiry(now);
  }

  /**
   * When time alone may make {@link #onTick} decide: a backoff delay or a startup deadline runs out; null when
   * nothing waits on time.
   */
  public Instant decidesAt() {
    if (phase == CheckPhase.BACKING_OFF) {
      return restartNotBefore;
    }
    return phase == CheckPhase.STARTING ? startupDeadline : null;
  }

  /** Why the check is failing, acting or gave up; null while healthy. */
  public String reason() {
    return reason;
  }

  /** When the pending restart may run, while {@link CheckPhase#BACKING_OFF}. */
  public Instant restartNotBefore() {
    return phase == CheckPhase.BACKING_OFF ? restartNotBefore : null;
  }

  /** When the startup grace ends, while {@link CheckPhase#STARTING}. */
  public Instant graceUntil() {
    return phase == CheckPhase.STARTING ? graceUntil : null;
  }
}
