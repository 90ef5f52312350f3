package dev.kelpie.shared.policy;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** At most {@code restarts} restarts in any sliding period of length {@code per}. */
public final class RestartBudget {

  private final PolicySpec.Budget limits;
  private final Deque<Instant> spent = new ArrayDeque<>();

  public RestartBudget(PolicySpec.Budget limits) {
    this.limits = limits;
  }

  public boolean exhaustedAt(Instant now) {
    forgetBefore(now.minus(limits.per()));
    return spent.size() >= limits.restarts();
  }

  public void spend(Instant now) {
    spent.addLast(now);
  }

  /** Takes back the last restart spent: it was decided but never carried out (held by a fleet rule). */
  public void giveBackLast() {
    spent.pollLast();
  }

  public int usedAt(Instant now) {
    forgetBefore(now.minus(limits.per()));
    return spent.size();
  }

  /** The restarts still inside the window, oldest first, so a restarted coordinator can rebuild the budget. */
  public List<Instant> spentAt(Instant now) {
    forgetBefore(now.minus(limits.per()));
    return List.copyOf(spent);
  }

  /** When the oldest restart still in the window leaves it (one fewer used); null when none is in it. */
  public Instant nextExpiry(Instant now) {
    if (spent.isEmpty()) {
      return null;
    }
    forgetBefore(now.minus(limits.per()));
    return spent.isEmpty() ? null : spent.peekFirst().plus(limits.per());
  }

  public void restore(List<Instant> restarts) {
    spent.clear();
    spent.addAll(restarts);
  }

  public void clear() {
    spent.clear();
  }

  private void forgetBefore(Instant cutoff) {
    while (!spent.isEmpty() && !spent.peekFirst().isAfter(cutoff)) {
      spent.removeFirst();
    }
  }
}
