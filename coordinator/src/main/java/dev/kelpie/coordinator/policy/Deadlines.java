package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.policy.CheckState;

import java.time.Duration;
import java.time.Instant;

/**
 * The next moment when time alone changes something of an agent, so the tick need not look at it before: it is called
 * lost, a silence of it or of a check ends, a restart leaves a budget's window (fewer shown as used), a backoff delay or
 * a startup deadline runs out, an open incident is due to be alerted (again). A moment already past counts only while
 * it can still do something: a check busy with a command, silenced or whose agent cannot be reached waits for the
 * input or the silence's end that frees it, which bring the agent back in line themselves.
 */
final class Deadlines {

  private final Duration lostAfter;
  private final FleetRules rules;
  private final Journal journal;
  private AlertRaiser alerts;

  Deadlines(Duration lostAfter, FleetRules rules, Journal journal, AlertRaiser alerts) {
    this.lostAfter = lostAfter;
    this.rules = rules;
    this.journal = journal;
    this.alerts = alerts;
  }

  void alerts(AlertRaiser raiser) {
    alerts = raiser;
  }

  /** The agent's next moment; null when time alone changes nothing of it. */
  Instant next(TrackedAgent agent, Instant now) {
    Instant next = null;
    if (!agent.lost() && agent.lastSeen() != null) {
      next = agent.lastSeen().plus(lostAfter).plusNanos(1);   // lost once silent for longer than lostAfter
    }
    next = earlier(next, agent.silencedUntil());
    boolean reachable = agent.reachable();
    for (TrackedCheck check : agent.checks().values()) {
      CheckState state = check.state();
      next = earlier(next, check.silencedUntil());
      next = earlier(next, state.restartsFallAt(now));
      if (!reachable) {
        continue;
      }
      Instant decides = state.decidesAt();
      if (decides != null && (decides.isAfter(now) || !rules.busy(agent, check) && !agent.silenced(check, now))) {
        next = earlier(next, decides);
      }
      Instant alert = alerts.repeatDue(journal.incident(check));
      if (alert != null && (alert.isAfter(now) || alerts.allowed(agent, check, now))) {
        next = earlier(next, alert);
      }
    }
    return next;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || b != null && b.isBefore(a) ? b : a;
  }
}
