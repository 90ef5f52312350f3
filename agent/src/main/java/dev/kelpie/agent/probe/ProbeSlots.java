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
 * most one slot late; the next due time counts from the due time, not from the slot, so the lateness does not add up.
 * A check probed more often than ten slots an interval keeps a timer of its own, on time. Runs on one event loop.
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
    if (widthNanos == 0 || TimeUnit.MILLISECONDS.toNanos(intervalMillis) < 10 * widthNanos) {
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

  private static long millisUntil(long nanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime() + 999_999));
  }
}
