package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.Report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reports waiting for the coordinator's acknowledgement, in sequence order. Numbered as they enter; sent in batches;
 * kept until acknowledged; sent again after a reconnect. Bounded: when full, the oldest are dropped and counted.
 */
final class Outbox {

  private final int capacity;
  private final Deque<Report> inFlight = new ArrayDeque<>();
  private final Deque<Report> unsent = new ArrayDeque<>();
  private long nextSeq;
  private long dropped;

  Outbox(int capacity, long firstSeq) {
    this.capacity = capacity;
    this.nextSeq = firstSeq;
  }

  /** Numbers the report and keeps it; returns whether an older report had to be dropped to make room. */
  boolean add(Report report) {
    unsent.addLast(report.withSeq(nextSeq++));
    if (size() > capacity) {
      (inFlight.isEmpty() ? unsent : inFlight).removeFirst();
      dropped++;
      return true;
    }
    return false;
  }

  /** Up to {@code max} reports not sent yet, now counted as in flight. */
  List<Report> nextBatch(int max) {
    List<Report> batch = new ArrayList<>(Math.min(max, unsent.size()));
    while (batch.size() < max && !unsent.isEmpty()) {
      Report report = unsent.removeFirst();
      inFlight.addLast(report);
      batch.add(report);
    }
    return batch;
  }

  /** Everything up to {@code seq} is safe at the coordinator. */
  void acknowledge(long seq) {
    while (!inFlight.isEmpty() && inFlight.peekFirst().seq() <= seq) {
      inFlight.removeFirst();
    }
    while (!unsent.isEmpty() && unsent.peekFirst().seq() <= seq) {
      unsent.removeFirst();
    }
  }

  /** The connection is gone: what was in flight goes out again, first. */
  void rewind() {
    while (!inFlight.isEmpty()) {
      unsent.addFirst(inFlight.removeLast());
    }
  }

  /**
   * The coordinator already holds everything up to {@code lastSeq}. When that is ahead of our own numbering (this
   * agent lost its state), the waiting reports are numbered again after it, so none is taken for a replay.
   */
  void resumeAfter(long lastSeq) {
    rewind();
    if (lastSeq >= nextSeq - 1 && lastSeq > 0) {
      List<Report> waiting = new ArrayList<>(unsent);
      unsent.clear();
      nextSeq = lastSeq + 1;
      waiting.forEach(report -> unsent.addLast(report.withSeq(nextSeq++)));
      return;
    }
    acknowledge(lastSeq);
  }

  int size() {
    return inFlight.size() + unsent.size();
  }

  boolean hasUnsent() {
    return !unsent.isEmpty();
  }

  long nextSeq() {
    return nextSeq;
  }

  long dropped() {
    return dropped;
  }
}
