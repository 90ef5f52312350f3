package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.Report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reports waiting for the coordinator's acknowledgement, in sequence order. Numbered as they enter; sent in batches
 * once {@linkplain #durable durable} (journaled); kept until acknowledged; sent again after a reconnect. Bounded: when
 * full, the oldest are dropped and counted.
 */
final class Outbox {

  private final int capacity;
  private final Deque<Report> inFlight = new ArrayDeque<>();
  private final Deque<Report> unsent = new ArrayDeque<>();
  private long nextSeq;
  /** Reports numbered from here on are new since the last hello; the ones below may have been sent already. */
  private long firstNewSeq;
  private long durableUpTo = Long.MAX_VALUE;
  private long dropped;

  Outbox(int capacity, long firstSeq) {
    this.capacity = capacity;
    this.nextSeq = firstSeq;
    this.firstNewSeq = firstSeq;
  }

  /**
   * An outbox whose reports may leave only once {@linkplain #durable journaled}, holding what an earlier run left:
   * {@code waiting} keep their numbers.
   */
  static Outbox journaled(int capacity, long nextSeq, List<Report> waiting) {
    Outbox outbox = new Outbox(capacity, nextSeq);
    waiting.forEach(outbox::keep);
    outbox.durableUpTo = nextSeq - 1;
    return outbox;
  }

  /** Numbers the report and keeps it; returns it as numbered. */
  Report add(Report report) {
    Report numbered = report.withSeq(nextSeq++);
    keep(numbered);
    return numbered;
  }

  /** Everything up to {@code seq} is journaled and may leave. */
  void durable(long seq) {
    durableUpTo = Math.max(durableUpTo, seq);
  }

  private void keep(Report numbered) {
    unsent.addLast(numbered);
    if (size() > capacity) {
      (inFlight.isEmpty() ? unsent : inFlight).removeFirst();
      dropped++;
    }
  }

  /** Up to {@code max} durable reports not sent yet, now counted as in flight. */
  List<Report> nextBatch(int max) {
    List<Report> batch = new ArrayList<>(Math.min(max, unsent.size()));
    while (batch.size() < max && !unsent.isEmpty() && unsent.peekFirst().seq() <= durableUpTo) {
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

  /** The last batch sent was not taken (the coordinator asked to wait): its reports go out again, first. */
  void giveBack(List<Report> batch) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      if (!inFlight.isEmpty() && inFlight.peekLast().seq() == batch.get(i).seq()) {
        unsent.addFirst(inFlight.removeLast());
      }
    }
  }

  /** The connection is gone: what was in flight goes out again, first. */
  void rewind() {
    while (!inFlight.isEmpty()) {
      unsent.addFirst(inFlight.removeLast());
    }
  }

  /**
   * The coordinator already holds everything up to {@code lastSeq}: what is waiting up to there was stored (its
   * acknowledgement was lost) and is dropped. When {@code lastSeq} is ahead of every number this agent used, or this
   * agent {@code lostItsNumbering} (it started without state), the reports numbered since the last hello are numbered
   * again after it, so none is taken for a replay; they may leave once journaled again under their new numbers. The
   * older ones (recovered from a journal that lost its last writes) went out before the numbers the coordinator is
   * past, so it stored them: they are dropped, not stored a second time under new numbers.
   *
   * @return whether the waiting reports were numbered again
   */
  boolean resumeAfter(long lastSeq, boolean lostItsNumbering) {
    rewind();
    if (lastSeq > 0 && (lastSeq > nextSeq - 1 || lostItsNumbering)) {
      List<Report> waiting = new ArrayList<>(unsent);
      unsent.clear();
      nextSeq = lastSeq + 1;
      waiting.stream().filter(report -> report.seq() >= firstNewSeq)
        .forEach(report -> unsent.addLast(report.withSeq(nextSeq++)));
      if (durableUpTo != Long.MAX_VALUE) {
        durableUpTo = lastSeq;
      }
      firstNewSeq = nextSeq;
      return true;
    }
    acknowledge(lastSeq);
    firstNewSeq = nextSeq;
    return false;
  }

  /** Every report kept, in order: the journal is rewritten from these. */
  List<Report> waiting() {
    List<Report> all = new ArrayList<>(inFlight);
    all.addAll(unsent);
    return all;
  }

  int size() {
    return inFlight.size() + unsent.size();
  }

  boolean hasUnsent() {
    return !unsent.isEmpty() && unsent.peekFirst().seq() <= durableUpTo;
  }

  /**
   * Whether report {@code seq} may leave now (it is durable) and is not sent yet, or an earlier one is not: a batch
   * sent now carries it, with everything before it.
   */
  boolean readyThrough(long seq) {
    return !unsent.isEmpty() && unsent.peekFirst().seq() <= seq && seq <= durableUpTo;
  }

  long nextSeq() {
    return nextSeq;
  }

  long dropped() {
    return dropped;
  }
}
