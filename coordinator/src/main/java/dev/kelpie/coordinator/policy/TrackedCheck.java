package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One check of one agent, as the coordinator follows it: what was announced, its policy state, its last results and
 * a person's silence. What the journal, the alerts and the dashboard remember of it, they keep themselves.
 */
final class TrackedCheck {

  /** How many of the last results an alert carries as evidence. */
  private static final int EVIDENCE = 5;

  /*
   * The last results, a ring of EVIDENCE kept as numbers: a fleet's checks times five would otherwise hold as many
   * records, each with its Instant, Duration and strings, and make most of the heap. A detail repeated from the
   * result before is kept once.
   */
  private final long[] seqs = new long[EVIDENCE];
  private final long[] epochSeconds = new long[EVIDENCE];
  private final int[] nanos = new int[EVIDENCE];
  private final long[] latencyNanos = new long[EVIDENCE];
  private final boolean[] up = new boolean[EVIDENCE];
  private final String[] details = new String[EVIDENCE];
  private long seen;
  private String agentId;
  private CheckSpec spec;
  private CheckState state;
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
    int at = (int) (seen % EVIDENCE);
    String previous = seen == 0 ? null : details[(int) ((seen - 1) % EVIDENCE)];
    if (agentId == null || !agentId.equals(result.agentId())) {
      agentId = result.agentId();
    }
    seqs[at] = result.seq();
    epochSeconds[at] = result.time().getEpochSecond();
    nanos[at] = result.time().getNano();
    latencyNanos[at] = nanosOf(result.latency());
    up[at] = result.up();
    details[at] = previous != null && previous.equals(result.detail()) ? previous : result.detail();
    seen++;
  }

  /** The last result taken, or null. */
  ProbeResult lastResult() {
    return seen == 0 ? null : result((int) ((seen - 1) % EVIDENCE));
  }

  /** Whether the last result taken was up; null when there is none. */
  Boolean lastUp() {
    return seen == 0 ? null : up[(int) ((seen - 1) % EVIDENCE)];
  }

  /** The last few results, oldest first: the evidence an alert carries. */
  List<ProbeResult> recentResults() {
    List<ProbeResult> recent = new ArrayList<>(EVIDENCE);
    for (long i = Math.max(0, seen - EVIDENCE); i < seen; i++) {
      recent.add(result((int) (i % EVIDENCE)));
    }
    return recent;
  }

  private ProbeResult result(int at) {
    return new ProbeResult(agentId, seqs[at], spec.id(), Instant.ofEpochSecond(epochSeconds[at], nanos[at]),
      up[at] ? Outcome.UP : Outcome.DOWN, Duration.ofNanos(latencyNanos[at]), details[at]);
  }

  private static long nanosOf(Duration latency) {
    try {
      return latency.toNanos();
    } catch (ArithmeticException beyondCenturies) {
      return latency.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
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
