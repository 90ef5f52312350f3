package dev.kelpie.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Fires the simulated agents' probes from one timer per event loop instead of one timer per agent. A real agent has a
 * timer of its own on its own host; 10,000 of them in one generator put 33,000 timer expiries a second through Netty's
 * scheduled-task queue (a heap of every agent's timers), which cost the generator a third of its CPU, the CPU a
 * coordinator on the same machine is measured without. Each agent keeps its phase to the tick ({@link #TICK_MS}), and
 * every probe of one tick carries that tick's time, so what reaches the coordinator is the same.
 */
final class ProbePacer {

  /** The wheel's resolution: a probe fires up to this much after its phase. */
  static final long TICK_MS = 10;

  /** Keyed by the loop's thread: each agent's connection has a context of its own on one of the loops. */
  private static final Map<Thread, ProbePacer> BY_LOOP = new ConcurrentHashMap<>();

  private final List<List<Consumer<Instant>>> slots = new ArrayList<>();
  private int next;

  private ProbePacer(Vertx vertx, long stepMillis) {
    int count = (int) Math.max(1, stepMillis / TICK_MS);
    for (int i = 0; i < count; i++) {
      slots.add(new ArrayList<>());
    }
    vertx.setPeriodic(TICK_MS, t -> {
      List<Consumer<Instant>> due = slots.get(next);
      next = (next + 1) % slots.size();
      if (!due.isEmpty()) {
        Instant now = Instant.now();
        for (Consumer<Instant> probe : due) {
          probe.accept(now);
        }
      }
    });
  }

  /**
   * Calls {@code probe} every {@code stepMillis} (rounded to the tick) at phase {@code phaseMillis}, on the calling
   * event loop's thread (the wheel's timer is on the first caller's context there); every caller must give the same
   * step.
   */
  static void every(Vertx vertx, long stepMillis, long phaseMillis, Consumer<Instant> probe) {
    Context loop = vertx.getOrCreateContext();
    if (!loop.isEventLoopContext()) {
      throw new IllegalStateException("a probe is paced on an event loop, not from " + Thread.currentThread());
    }
    ProbePacer pacer = BY_LOOP.computeIfAbsent(Thread.currentThread(), l -> new ProbePacer(vertx, stepMillis));
    pacer.slots.get((int) (phaseMillis / TICK_MS % pacer.slots.size())).add(probe);
  }

  /** Forgets every loop's wheel (their timers end with their Vert.x instance). */
  static void reset() {
    BY_LOOP.clear();
  }
}
