package dev.kelpie.agent.probe;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Probe starts on a real event loop: those due within one slot share a wake-up, none starts before it is due, and a
 * check too frequent for slots keeps its own time. Style: the test thread schedules on the loop and polls with a
 * deadline.
 */
class ProbeSlotsTest {

  private static final long WIDTH = TimeUnit.MILLISECONDS.toNanos(100);

  private final Vertx vertx = Vertx.vertx();
  /** Each start as {due, ran}, in nanoseconds. */
  private final List<long[]> starts = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private void schedule(ProbeSlots slots, long intervalMillis, long... dues) {
    vertx.runOnContext(v -> {
      for (long due : dues) {
        slots.at(due, intervalMillis, () -> starts.add(new long[] {due, System.nanoTime()}));
      }
    });
  }

  private void awaitStarts(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (starts.size() < count) {
      assertThat(System.nanoTime()).as("%d starts, %d so far", count, starts.size()).isLessThan(deadline);
      Thread.sleep(5);
    }
  }

  @Test
  @DisplayName("probes due within one slot start together, at its end, none before it is due")
  void oneWakeUpASlot() throws InterruptedException {
    long slotEnd = (Math.floorDiv(System.nanoTime(), WIDTH) + 3) * WIDTH;
    schedule(new ProbeSlots(vertx, 100), 1000, slotEnd - WIDTH * 9 / 10, slotEnd - WIDTH / 2, slotEnd - WIDTH / 10);
    awaitStarts(3);

    long first = starts.stream().mapToLong(start -> start[1]).min().orElseThrow();
    long last = starts.stream().mapToLong(start -> start[1]).max().orElseThrow();
    assertThat(starts).allSatisfy(start -> assertThat(start[1]).as("started at or after its due time")
      .isGreaterThanOrEqualTo(start[0]));
    assertThat(TimeUnit.NANOSECONDS.toMillis(last - first)).as("ms between the first and the last start").isLessThan(5);
    assertThat(first).as("not before the slot's end").isGreaterThanOrEqualTo(slotEnd);
  }

  @Test
  @DisplayName("the next probe is due an interval after this one was due, or after its start if the loop was late by "
    + "more than a slot; a check with its own timer counts from its start")
  void nextDue() {
    ProbeSlots slots = new ProbeSlots(vertx, 100);
    long due = TimeUnit.SECONDS.toNanos(1000);
    long second = TimeUnit.SECONDS.toNanos(1);
    long ms = TimeUnit.MILLISECONDS.toNanos(1);
    assertThat(slots.nextDue(due, due + 60 * ms, 1000)).as("started at its slot's end").isEqualTo(due + second);
    assertThat(slots.nextDue(due, due + 250 * ms, 1000)).as("started late").isEqualTo(due + 150 * ms + second);
    assertThat(slots.nextDue(due, due + 60 * ms, 600)).as("own timer").isEqualTo(due + 660 * ms);
  }

  @Test
  @DisplayName("a check probed more often than ten slots an interval starts when due, not at the slot's end")
  void frequentChecksKeepTheirTime() throws InterruptedException {
    long slotEnd = (Math.floorDiv(System.nanoTime(), WIDTH) + 3) * WIDTH;
    long early = slotEnd - WIDTH * 9 / 10;
    long late = slotEnd - WIDTH / 10;
    schedule(new ProbeSlots(vertx, 100), 500, early, late);
    awaitStarts(2);

    long[] firstStart = starts.get(0);
    long[] secondStart = starts.get(1);
    assertThat(firstStart[0]).isEqualTo(early);
    assertThat(TimeUnit.NANOSECONDS.toMillis(secondStart[1] - firstStart[1])).as("ms between the two starts")
      .isGreaterThan(40);
  }
}
