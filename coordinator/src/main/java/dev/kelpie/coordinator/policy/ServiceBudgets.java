package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.policy.Durations;
import dev.kelpie.shared.policy.PolicySpec;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The restart budget a service's checks share (unless a check keeps its own): the restarts of all of them count
 * against the smallest budget among them, so two checks of one service cannot restart it twice as often.
 */
final class ServiceBudgets {

  private final Map<String, Deque<Instant>> spent = new HashMap<>();

  /** A restart of the check's service went out: it counts for the service's checks that share a budget. */
  void restarted(TrackedAgent agent, TrackedCheck check, Instant now) {
    if (check.spec().rules().ownBudget()) {
      return;
    }
    Deque<Instant> restarts = spent.computeIfAbsent(RestartGate.key(agent.id(), check.service()),
      k -> new ArrayDeque<>());
    restarts.addLast(now);
    Instant from = now.minus(check.spec().policy().budget().per()).minus(Duration.ofHours(1));
    while (!restarts.isEmpty() && restarts.peekFirst().isBefore(from)) {
      restarts.removeFirst();
    }
  }

  /** Why the service's shared budget is used up (null: it is not), counting the restarts of all its checks. */
  String usedUp(TrackedAgent agent, TrackedCheck check, Instant now) {
    if (check.spec().rules().ownBudget() || check.service() == null) {
      return null;
    }
    PolicySpec.Budget limits = null;
    int sharing = 0;
    for (TrackedCheck other : agent.checks().values()) {
      if (check.service().equals(other.service()) && !other.spec().rules().ownBudget()) {
        sharing++;
        PolicySpec.Budget budget = other.spec().policy().budget();
        if (limits == null || budget.restarts() < limits.restarts()) {
          limits = budget;
        }
      }
    }
    Deque<Instant> restarts = spent.get(RestartGate.key(agent.id(), check.service()));
    if (sharing < 2 || restarts == null) {
      return null;
    }
    Instant from = now.minus(limits.per());
    while (!restarts.isEmpty() && !restarts.peekFirst().isAfter(from)) {
      restarts.removeFirst();
    }
    return restarts.size() < limits.restarts() ? null : "restart budget of " + limits.restarts() + " per "
      + Durations.human(limits.per()) + " of service " + check.service() + " (shared by its " + sharing
      + " checks) used up";
  }
}
