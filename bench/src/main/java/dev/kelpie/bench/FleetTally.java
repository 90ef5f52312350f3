package dev.kelpie.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulated fleet saw, counted from every agent's event loop; samples only while measuring. */
final class FleetTally {

  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong disconnects = new AtomicLong();
  private final List<Long> commandNanos = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> ackNanos = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean measuring;
  private volatile String lastRefusal;

  void measuring(boolean on) {
    measuring = on;
  }

  void acknowledged(int results, long nanos) {
    acknowledged.addAndGet(results);
    if (measuring && ThreadLocalRandom.current().nextInt(20) == 0) {
      ackNanos.add(nanos);
    }
  }

  void refused(String why) {
    refused.incrementAndGet();
    lastRefusal = why;
  }

  void disconnected() {
    disconnects.incrementAndGet();
  }

  void commanded(long nanos) {
    if (measuring) {
      commandNanos.add(nanos);
    }
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
}
