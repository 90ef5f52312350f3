package dev.kelpie.shared.rules;

import java.time.Duration;
import java.util.Optional;

/**
 * How far an agent's report numbers may run ahead of the last one the coordinator took: the largest outbox an agent
 * may keep, plus what an agent could number while away (at most {@link #REPORTS_PER_SECOND}), so an agent that
 * dropped reports during a long partition is still taken, and a jump to {@code 2^63-1} never is.
 */
public final class Sequence {

  public static final long REPORTS_PER_SECOND = 1_000;

  private Sequence() {
  }

  /** Why {@code seq} may not follow {@code last} (0: none taken yet), {@code sinceLast} after it was taken. */
  public static Optional<String> problem(long last, long seq, Duration sinceLast) {
    if (seq < 1 || seq > Limits.MAX_SEQ) {
      return Optional.of("must be between 1 and " + Limits.MAX_SEQ + ", got " + seq);
    }
    if (last <= 0 || seq <= last) {
      return Optional.empty();
    }
    long away = Math.max(0, sinceLast.toSeconds());
    long allowed = away > (Limits.MAX_SEQ / REPORTS_PER_SECOND) ? Limits.MAX_SEQ
      : Limits.MAX_OUTBOX + away * REPORTS_PER_SECOND;
    if (seq - last > allowed) {
      return Optional.of("jumps " + (seq - last) + " past the last report taken (" + last + "); at most " + allowed
        + " may follow it (an outbox of " + Limits.MAX_OUTBOX + ", and " + REPORTS_PER_SECOND + " a second while away)");
    }
    return Optional.empty();
  }
}
