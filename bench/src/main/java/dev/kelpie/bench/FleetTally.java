package dev.kelpie.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulated fleet saw, counted from every agent's event loop; samples only while measuring. */
final class FleetTally {

  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong keepalives = new AtomicLong();
  private final AtomicLong disconnects = new AtomicLong();
  private final AtomicLong helloFailures = new AtomicLong();
  private final AtomicLong slotCommands = new AtomicLong();
  private final AtomicLong slotSlow = new AtomicLong();
  private final AtomicLong slotMax = new AtomicLong();
  private volatile String lastHelloFailure;
  private final List<Long> commandNanos = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> ackNanos = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Long> ownedAgain = new ConcurrentHashMap<>();
  private final Map<String, Long> ackedAgain = new ConcurrentHashMap<>();
  private final Map<String, Long> advised = new ConcurrentHashMap<>();
  private final Map<String, Long> startedOn = new ConcurrentHashMap<>();
  private volatile boolean measuring;
  private volatile String lastRefusal;

  /** Turned on, the 5 s lines' counts start again: the first line is then the measured time's, not the warm-up's. */
  void measuring(boolean on) {
    if (on) {
      slot();
    }
    measuring = on;
  }

  void acknowledged(int results, long nanos) {
    acknowledged.addAndGet(results);
    if (measuring && ThreadLocalRandom.current().nextInt(20) == 0) {
      ackNanos.add(nanos);
    }
  }

  /** A report frame left an agent (each is answered by one acknowledgement frame). */
  void batchSent() {
    batches.incrementAndGet();
  }

  void keepaliveSent() {
    keepalives.incrementAndGet();
  }

  long batches() {
    return batches.get();
  }

  long keepalives() {
    return keepalives.get();
  }

  void refused(String why) {
    refused.incrementAndGet();
    lastRefusal = why;
  }

  /** A connection attempt or its hello failed (the agent tries again); the last cause is kept. */
  void helloFailed(String cause) {
    helloFailures.incrementAndGet();
    lastHelloFailure = cause;
  }

  long helloFailures() {
    return helloFailures.get();
  }

  String lastHelloFailure() {
    return lastHelloFailure;
  }

  void disconnected() {
    disconnects.incrementAndGet();
  }

  void commanded(long nanos) {
    if (measuring) {
      commandNanos.add(nanos);
    }
    slotCommands.incrementAndGet();
    if (nanos > FleetBench.GOAL_CROSSING_P99_MS * 1e6) {
      slotSlow.incrementAndGet();
    }
    slotMax.accumulateAndGet(nanos, Math::max);
  }

  /**
   * Commands since the last call, how many came later than the goal's 100 ms after their crossing, and the slowest:
   * whether the slow ones come together (a stall) or spread over the run.
   */
  String slot() {
    return String.format("%d commands, %d over %.0f ms, max %.0f ms", slotCommands.getAndSet(0),
      slotSlow.getAndSet(0), FleetBench.GOAL_CROSSING_P99_MS, slotMax.getAndSet(0) / 1e6);
  }

  /** An agent that lost its connection had its hello answered elsewhere at {@code at}. */
  void ownedAgain(String agent, long at) {
    ownedAgain.putIfAbsent(agent, at);
  }

  /** An agent owned again had its first batch there acknowledged at {@code at}. */
  void ackedAgain(String agent, long at) {
    ackedAgain.putIfAbsent(agent, at);
  }

  /** The batch window the coordinator advised the agent in its latest answer, in ms (0: none). */
  void advised(String agent, long millis) {
    advised.put(agent, millis);
  }

  /** How many agents were last advised each window (ms, 0: none), in order. */
  Map<Long, Long> lastAdvice() {
    Map<Long, Long> counts = new java.util.TreeMap<>();
    advised.values().forEach(millis -> counts.merge(millis, 1L, Long::sum));
    return counts;
  }

  /** When each agent was owned again after losing its connection (System.nanoTime()). */
  Map<String, Long> ownedAgain() {
    return Map.copyOf(ownedAgain);
  }

  /** When each agent owned again had its first batch acknowledged (System.nanoTime()). */
  Map<String, Long> ackedAgain() {
    return Map.copyOf(ackedAgain);
  }

  long acknowledged() {
    return acknowledged.get();
  }

  long refused() {
    return refused.get();
  }

  long disconnects() {
    return disconnects.get();
  }

  String lastRefusal() {
    return lastRefusal;
  }

  List<Long> commandNanos() {
    return sorted(commandNanos);
  }

  List<Long> ackNanos() {
    return sorted(ackNanos);
  }

  private static List<Long> sorted(List<Long> samples) {
    List<Long> copy;
    synchronized (samples) {
      copy = new ArrayList<>(samples);
    }
    Collections.sort(copy);
    return copy;
  }

  static double percentileMillis(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1e6;
  }

  /** An agent started probing on this thread (one of the generator's event loops). */
  void startedOn(String thread) {
    startedOn.merge(thread, 1L, Long::sum);
  }

  Map<String, Long> startedOn() {
    return new TreeMap<>(startedOn);
  }
}
