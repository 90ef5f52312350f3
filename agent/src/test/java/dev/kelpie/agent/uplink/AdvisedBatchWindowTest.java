package dev.kelpie.agent.uplink;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real uplink against a fake coordinator's bridge end that advises a batch window in its answers: routine results
 * linger for the longer of the agent's own window and the advice (at most 3 s), results that matter still leave at
 * once, and answers without advice (an older coordinator's) leave the agent's own window in force. Style: the test
 * thread publishes on the agent's bus and polls what the coordinator received, with a deadline.
 */
class AdvisedBatchWindowTest {

  @TempDir
  Path stateDir;
  private final FakeCoordinator coordinator = new FakeCoordinator();
  private final Vertx agent = Vertx.vertx();

  @AfterEach
  void close() {
    agent.close().await();
    coordinator.close();
  }

  private void start(Duration own) {
    UplinkHarness.start(agent, coordinator, stateDir, own);
  }

  private void publish(boolean up, String detail) {
    UplinkHarness.publish(agent, up, detail);
  }

  private void primed() throws InterruptedException {
    UplinkHarness.primed(agent, coordinator);
  }

  private static long millisSince(long nanos, FakeCoordinator.Frame frame) {
    return UplinkHarness.millisSince(nanos, frame);
  }

  @Test
  @DisplayName("advised 1.5 s, routine results linger 1.5 s (not the agent's own 200 ms) and leave in one frame; a "
    + "DOWN still leaves at once")
  void advisedWindowIsTaken() throws InterruptedException {
    coordinator.advise(1500);
    start(Duration.ofMillis(200));
    primed();
    long before = System.nanoTime();
    publish(true, "r2");
    Thread.sleep(600);   // past the agent's own window: without the advice r2 would have left alone
    publish(true, "r3");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 1);

    assertThat(frames).hasSize(2);
    assertThat(frames.get(1).seqs()).containsExactly(2L, 3L);
    assertThat(millisSince(before, frames.get(1))).isGreaterThanOrEqualTo(1500);

    long failed = System.nanoTime();
    publish(true, "r4");
    publish(false, "r5 down");
    frames = coordinator.await(all -> all.size() > 2);
    assertThat(frames.get(2).seqs()).containsExactly(4L, 5L);
    assertThat(millisSince(failed, frames.get(2))).isLessThan(1000);
  }

  @Test
  @DisplayName("an agent configured with 0ms takes the advice too: it is the coordinator that is overloaded")
  void zeroWindowTakesTheAdvice() throws InterruptedException {
    coordinator.advise(1000);
    start(Duration.ZERO);
    primed();
    long before = System.nanoTime();
    publish(true, "r2");
    publish(true, "r3");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 1 && all.get(all.size() - 1).seqs()
      .contains(3L));

    assertThat(frames).hasSize(2);
    assertThat(frames.get(1).seqs()).containsExactly(2L, 3L);
    assertThat(millisSince(before, frames.get(1))).isGreaterThanOrEqualTo(1000);
  }

  @Test
  @DisplayName("an advice over 3 s is taken as 3 s")
  void adviceIsCapped() throws InterruptedException {
    coordinator.advise(60_000);
    start(Duration.ofMillis(200));
    primed();
    long before = System.nanoTime();
    publish(true, "r2");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 1);

    assertThat(millisSince(before, frames.get(1))).isBetween(3000L, 5000L);
  }

  @Test
  @DisplayName("an agent configured wider than the advice keeps its own window")
  void ownWiderWindowKept() throws InterruptedException {
    coordinator.advise(1000);
    start(Duration.ofMillis(2000));
    primed();
    long before = System.nanoTime();
    publish(true, "r2");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 1);

    assertThat(millisSince(before, frames.get(1))).isGreaterThanOrEqualTo(2000);
  }

  @Test
  @DisplayName("when the answers stop carrying advice (the coordinator is no longer overloaded, or an older one took "
    + "over) the agent's own window is back from the next window on")
  void withoutAdviceTheOwnWindowIsBack() throws InterruptedException {
    coordinator.advise(1500);
    start(Duration.ofMillis(200));
    primed();
    coordinator.advise(0);
    publish(true, "r2");   // its window opened under the advice; its acknowledgement carries none
    coordinator.await(all -> all.size() > 1);

    long before = System.nanoTime();
    publish(true, "r3");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 2);
    assertThat(frames.get(2).seqs()).containsExactly(3L);
    assertThat(millisSince(before, frames.get(2))).isBetween(200L, 1000L);
  }
}
