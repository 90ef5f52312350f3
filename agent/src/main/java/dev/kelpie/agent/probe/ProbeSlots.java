package dev.kelpie.agent.probe;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the probes due within the same slot of time together, on one timer: checks spread over their interval share
 * the event loop's wake-ups instead of taking one each. A probe starts at the end of the slot its due time falls in, at
 * most one slot late; its next due time counts from this due time, not from the slot's end, so the lateness does not
 * add up ({@link #nextDue}). A check probed more often than ten slots an interval keeps a timer of its own, on time.
 * Runs on one event loop.
 */
final class ProbeSlots {

  /** A tenth of a second: a 1 s check's result is at most that late, and 20 such checks share about nine wake-ups. */
  static final long WIDTH_MILLIS = 100;

  private final Vertx vertx;
  private final long widthNanos;
  private final Map<Long, List<Runnable>> bySlot = new HashMap<>();

  ProbeSlots(Vertx vertx, long widthMillis) {
    this.vertx = vertx;
    this.widthNanos = TimeUnit.MILLISECONDS.toNanos(widthMillis);
  }

  /** Runs {@code start} at {@code dueNanos} ({@link System#nanoTime()}), or at the end of its slot. */
  void at(long dueNanos, long intervalMillis, Runnable start) {
    if (!slotted(intervalMillis)) {
      vertx.setTimer(millisUntil(dueNanos), id -> start.run());
      return;
    }
    long slot = Math.floorDiv(dueNanos, widthNanos) + 1;
    List<Runnable> starts = bySlot.get(slot);
    if (starts == null) {
      starts = new ArrayList<>(4);
      bySlot.put(slot, starts);
      vertx.setTimer(millisUntil(slot * widthNanos), id -> bySlot.remove(slot).forEach(Runnable::run));
    }
    starts.add(start);
  }

  /**
   * When a check's next probe is due, one interval after this one was due, or after it started if that was more than
   * a slot later (the loop was late): two starts are never much less than an interval apart, and a check with a timer
   * of its own keeps counting from its start, as it always did.
   */
  long nextDue(long dueNanos, long startNanos, long intervalMillis) {
    long slack = slotted(intervalMillis) ? widthNanos : 0;
    return Math.max(dueNanos, startNanos - slack) + TimeUnit.MILLISECONDS.toNanos(intervalMillis);
  }

  private boolean slotted(long intervalMillis) {
    return widthNanos > 0 && TimeUnit.MILLISECONDS.toNanos(intervalMillis) >= 10 * widthNanos;
  }

  private static long millisUntil(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime() + 999_999));
  }
}
