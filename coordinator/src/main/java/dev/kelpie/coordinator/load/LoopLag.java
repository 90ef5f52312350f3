package dev.kelpie.coordinator.load;

import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How late the event loops that carry agents' frames (the gateway's, the policy's) run a timer: a task queued on a
 * busy loop, or on a loop whose thread waits for a core, waits that long too, and so does every frame behind it. Each
 * watched loop arms a timer every {@link #EVERY_MILLIS} and adds how late it fired; {@link #takeWorstMillis} is the
 * mean lateness, since the last take, of the loop that ran latest. Thread-safe: each loop writes its own counters.
 */
public final class LoopLag {

  static final long EVERY_MILLIS = 100;

  /** One watched loop's lateness since the last take. */
  private static final class Loop {
    final AtomicLong lateNanos = new AtomicLong();
    final AtomicLong samples = new AtomicLong();
    volatile long armedNanos = System.nanoTime();
  }

  private final List<Loop> loops = new CopyOnWriteArrayList<>();

  /** Watches the loop of the calling context (call it from a verticle's start, or on its context). */
  public void watch(Vertx vertx) {
    Loop loop = new Loop();
    loops.add(loop);
    arm(vertx, loop);
  }

  private static void arm(Vertx vertx, Loop loop) {
    loop.armedNanos = System.nanoTime();
    long due = loop.armedNanos + TimeUnit.MILLISECONDS.toNanos(EVERY_MILLIS);
    vertx.setTimer(EVERY_MILLIS, id -> {
      loop.lateNanos.addAndGet(Math.max(0, System.nanoTime() - due));
      loop.samples.incrementAndGet();
      arm(vertx, loop);
    });
  }

  /**
   * The mean lateness, in milliseconds, of the loop that ran latest since the last take; a loop so stuck that none
   * of its timers fired since counts as late as its pending timer is by now.
   */
  public double takeWorstMillis() {
    double worst = 0;
    long now = System.nanoTime();
    for (Loop loop : loops) {
      long samples = loop.samples.getAndSet(0);
      long late = loop.lateNanos.getAndSet(0);
      double mean = samples > 0 ? late / 1e6 / samples
        : Math.max(0, (now - loop.armedNanos) / 1e6 - EVERY_MILLIS);
      worst = Math.max(worst, mean);
    }
    return worst;
  }
}
