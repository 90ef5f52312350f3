package dev.kelpie.shared.policy;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * At most {@code restarts} restarts in any sliding period of length {@code per}. The restarts are kept only while one
 * is in the window: most checks never restart, and a fleet's checks would otherwise each hold an empty queue.
 */
public final class RestartBudget {

  private final PolicySpec.Budget limits;
  /** The restarts in the window, oldest first; null when there is none. */
  private ArrayDeque<Instant> spent;

  public RestartBudget(PolicySpec.Budget limits) {
    this.limits = limits;
  }

  public boolean exhaustedAt(Instant now) {
    return usedAt(now) >= limits.restarts();
  }

  public void spend(Instant now) {
    if (spent == null) {
      spent = new ArrayDeque<>(4);
    }
    spent.addLast(now);
  }

  /** Takes back the last restart spent: it was decided but never carried out (held by a fleet rule). */
  public void giveBackLast() {
    if (spent != null) {
      spent.pollLast();
      forgetIfEmpty();
    }
  }

  public int usedAt(Instant now) {
    if (spent == null) {
      return 0;
    }
    forgetBefore(now.minus(limits.per()));
    return spent == null ? 0 : spent.size();
  }

  /** The restarts still inside the window, oldest first, so a restarted coordinator can rebuild the budget. */
  public List<Instant> spentAt(Instant now) {
    if (spent == null) {
      return List.of();
    }
    forgetBefore(now.minus(limits.per()));
    return spent == null ? List.of() : List.copyOf(spent);
  }

  /** When the oldest restart still in the window leaves it (one fewer used); null when none is in it. */
  public Instant nextExpiry(Instant now) {
    if (spent == null) {
      return null;
    }
    forgetBefore(now.minus(limits.per()));
    return spent == null ? null : spent.peekFirst().plus(limits.per());
  }

  public void restore(List<Instant> restarts) {
    spent = restarts.isEmpty() ? null : new ArrayDeque<>(restarts);
  }

  public void clear() {
    spent = null;
  }

  private void forgetBefore(Instant cutoff) {
    while (!spent.isEmpty() && !spent.peekFirst().isAfter(cutoff)) {
      spent.removeFirst();
    }
    forgetIfEmpty();
  }

  private void forgetIfEmpty() {
    if (spent.isEmpty()) {
      spent = null;
    }
  }
}
