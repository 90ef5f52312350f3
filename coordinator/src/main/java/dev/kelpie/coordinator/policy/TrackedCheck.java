package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckState;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One check of one agent, as the coordinator follows it: what was announced, its policy state, its last results and
 * a person's silence. What the journal, the alerts and the dashboard remember of it, they keep themselves.
 */
final class TrackedCheck {

  /** How many of the last results an alert carries as evidence. */
  private static final int EVIDENCE = 5;

  /*
   * A fleet's agents announce the same policies, labels and rules over and over: each check keeping the copy parsed
   * from its hello made its spec cost more than its state. Equal parts are kept once, in a table that lets a part go
   * once no check holds it (weak keys, and weak values, which would otherwise hold their own key), so it forgets the
   * policies of checks gone; strings go to the JVM's own table, which lets unused ones go too.
   */
  private static final Map<Object, WeakReference<Object>> SHARED = new WeakHashMap<>();

  /*
   * The last results, a ring of EVIDENCE kept as numbers in two arrays: a fleet's checks times five would otherwise
   * hold as many records, each with its Instant, Duration and strings, and make most of the heap. A detail repeated
   * from the result before is kept once, and the same detail of different checks once.
   */
  private static final int SEQ = 0;
  private static final int EPOCH_SECOND = 1;
  private static final int LATENCY_NANOS = 2;
  /** The nanosecond of the result's time (below 2^30) with this bit set when it was up. */
  private static final int UP = 1 << 30;
  private final long[] numbers = new long[3 * EVIDENCE];
  private final int[] nanosAndUp = new int[EVIDENCE];
  private final String[] details = new String[EVIDENCE];
  private long seen;
  private String agentId;
  private CheckSpec spec;
  private CheckState state;
  private Instant silencedUntil;
  private List<String> correlationKeys;

  TrackedCheck(CheckSpec spec) {
    this.spec = shared(spec);
    this.state = new CheckState(this.spec.policy());
  }

  /** A new hello may change the check; its state is kept unless its policy changed. */
  void announce(CheckSpec announced) {
    CheckSpec previous = spec;
    spec = shared(announced);
    if (!spec.policy().equals(previous.policy())) {
      state = new CheckState(spec.policy());
    }
    correlationKeys = null;
  }

  private static CheckSpec shared(CheckSpec spec) {
    return new CheckSpec(intern(spec.id()), once(spec.type()), intern(spec.service()), intern(spec.target()),
      once(spec.policy()), once(spec.labels()), once(spec.rules()));
  }

  @SuppressWarnings("unchecked")
  private static <T> T once(T part) {
    if (part == null) {
      return null;
    }
    synchronized (SHARED) {
      WeakReference<Object> known = SHARED.get(part);
      Object kept = known == null ? null : known.get();
      if (kept == null) {
        SHARED.put(part, new WeakReference<>(part));
        return part;
      }
      return (T) kept;
    }
  }

  private static String intern(String name) {
    return name == null ? null : name.intern();
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
      agentId = result.agentId().intern();   // once for all the agent's checks
    }
    numbers[3 * at + SEQ] = result.seq();
    numbers[3 * at + EPOCH_SECOND] = result.time().getEpochSecond();
    numbers[3 * at + LATENCY_NANOS] = nanosOf(result.latency());
    nanosAndUp[at] = result.time().getNano() | (result.up() ? UP : 0);
    details[at] = previous != null && previous.equals(result.detail()) ? previous : intern(result.detail());
    seen++;
  }

  /** The last result taken, or null. */
  ProbeResult lastResult() {
    return seen == 0 ? null : result((int) ((seen - 1) % EVIDENCE));
  }

  /** Whether the last result taken was up; null when there is none. */
  Boolean lastUp() {
    return seen == 0 ? null : (nanosAndUp[(int) ((seen - 1) % EVIDENCE)] & UP) != 0;
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
    boolean up = (nanosAndUp[at] & UP) != 0;
    return new ProbeResult(agentId, numbers[3 * at + SEQ], spec.id(),
      Instant.ofEpochSecond(numbers[3 * at + EPOCH_SECOND], nanosAndUp[at] & ~UP), up ? Outcome.UP : Outcome.DOWN,
      Duration.ofNanos(numbers[3 * at + LATENCY_NANOS]), details[at]);
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
