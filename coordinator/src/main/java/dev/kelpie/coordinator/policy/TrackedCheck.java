package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckState;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One check of one agent, as the coordinator follows it: what was announced, its policy state, its last results and
 * a person's silence. What the journal, the alerts and the dashboard remember of it, they keep themselves.
 */
final class TrackedCheck {

  /** How many of the last results an alert carries as evidence. */
  private static final int EVIDENCE = 5;

  private final ArrayDeque<ProbeResult> recent = new ArrayDeque<>();
  private CheckSpec spec;
  private CheckState state;
  private ProbeResult lastResult;
  private Instant silencedUntil;
  private List<String> correlationKeys;

  TrackedCheck(CheckSpec spec) {
    this.spec = spec;
    this.state = new CheckState(spec.policy());
  }

  /** A new hello may change the check; its state is kept unless its policy changed. */
  void announce(CheckSpec announced) {
    if (!announced.policy().equals(spec.policy())) {
      state = new CheckState(announced.policy());
    }
    spec = announced;
    correlationKeys = null;
  }

  String id() {
    return spec.id();
  }

  String service() {
    return spec.service();
  }

  CheckSpec spec() {
    return spec;
  }

  CheckState state() {
    return state;
  }

  /** Brings back what the store kept of this check's policy: failures in a row, budget, backoff, gave-up. */
  void restore(CheckMemory memory) {
    state.restore(memory);
  }

  void seen(ProbeResult result) {
    lastResult = result;
    recent.addLast(result);
    if (recent.size() > EVIDENCE) {
      recent.removeFirst();
    }
  }

  /** The last result taken, or null. */
  ProbeResult lastResult() {
    return lastResult;
  }

  /** The last few results, oldest first: the evidence an alert carries. */
  List<ProbeResult> recentResults() {
    return List.copyOf(recent);
  }

  /** What the fleet rules correlate this check's failures by (see {@code CorrelatedFailures}), made once per spec. */
  List<String> correlationKeys(java.util.function.Function<CheckSpec, List<String>> make) {
    if (correlationKeys == null) {
      correlationKeys = make.apply(spec);
    }
    return correlationKeys;
  }

  /** Until when a person silenced this check (null: not silenced); the agent may be silenced as a whole too. */
  Instant silencedUntil() {
    return silencedUntil;
  }

  void silencedUntil(Instant until) {
    silencedUntil = until;
  }
}
