package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
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
 * The real uplink against a fake coordinator's bridge end: routine results linger to share a frame, results that
 * matter leave at once and take what lingers along, and nothing is lost or reordered across a reconnect. Style: the
 * test thread publishes on the agent's bus and polls what the coordinator received, with a deadline.
 */
class BatchWindowTest {

  @TempDir
  Path stateDir;
  private final FakeCoordinator coordinator = new FakeCoordinator();
  private final Vertx agent = Vertx.vertx();

  @AfterEach
  void close() {
    agent.close().await();
    coordinator.close();
  }

  private void start(Duration window) {
    UplinkHarness.start(agent, coordinator, stateDir, window);
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

  private static List<String> details(List<Report> reports) {
    return reports.stream().map(report -> ((ProbeResult) report).detail()).toList();
  }

  @Test
  @DisplayName("routine results (UP, as before) wait out the window and leave together, in one frame")
  void routineResultsShareAFrame() throws InterruptedException {
    Duration window = Duration.ofMillis(400);
    start(window);
    primed();
    long before = System.nanoTime();
    publish(true, "r2");
    publish(true, "r3");
    publish(true, "r4");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 1 && all.get(all.size() - 1)
      .seqs().contains(4L));

    assertThat(frames).hasSize(2);
    assertThat(frames.get(1).seqs()).containsExactly(2L, 3L, 4L);
    assertThat(millisSince(before, frames.get(1))).isGreaterThanOrEqualTo(window.toMillis());
  }

  @Test
  @DisplayName("a DOWN result leaves at once, taking the routine results lingering before it; so does the UP after it")
  void aResultThatMattersLeavesAtOnce() throws InterruptedException {
    start(Duration.ofSeconds(3));
    primed();
    long before = System.nanoTime();
    publish(true, "r2");
    publish(true, "r3");
    publish(false, "r4 down");
    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() > 1);

    assertThat(frames).hasSize(2);
    assertThat(frames.get(1).seqs()).containsExactly(2L, 3L, 4L);
    assertThat(millisSince(before, frames.get(1))).isLessThan(1000);

    long recovered = System.nanoTime();
    publish(true, "r5 up again");
    frames = coordinator.await(all -> all.size() > 2);
    assertThat(frames.get(2).seqs()).containsExactly(5L);
    assertThat(millisSince(recovered, frames.get(2))).isLessThan(1000);
  }

  @Test
  @DisplayName("a zero window sends a routine result at once, as before batching")
  void zeroWindowSendsAtOnce() throws InterruptedException {
    start(Duration.ZERO);
    primed();
    for (int i = 2; i <= 4; i++) {
      long before = System.nanoTime();
      publish(true, "r" + i);
      int expected = i;
      List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.size() == expected);
      assertThat(frames.get(i - 1).seqs()).containsExactly((long) i);
      assertThat(millisSince(before, frames.get(i - 1))).isLessThan(300);
    }
  }

  @Test
  @DisplayName("results lingering or in flight when the connection drops reach the coordinator once each, in order, "
    + "as soon as the agent is back")
  void nothingLostOrReorderedAcrossAReconnect() throws InterruptedException {
    start(Duration.ofSeconds(3));
    primed();
    coordinator.holdAcks(true);
    publish(false, "r2 down");   // sent at once, stored, its acknowledgement lost
    coordinator.await(all -> all.size() == 2);
    publish(true, "r3 up again");   // matters, but waits for the batch in flight
    publish(true, "r4");
    publish(true, "r5");
    long dropped = System.nanoTime();
    coordinator.holdAcks(false);
    coordinator.dropConnections();
    publish(true, "r6");   // while the agent is away, or just back

    List<FakeCoordinator.Frame> frames = coordinator.await(all -> all.get(all.size() - 1).seqs().contains(6L));

    assertThat(coordinator.connections()).isEqualTo(2);
    assertThat(coordinator.reports()).extracting(Report::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(details(coordinator.reports())).containsExactly("r1", "r2 down", "r3 up again", "r4", "r5", "r6");
    assertThat(millisSince(dropped, frames.get(frames.size() - 1))).isLessThan(2500);
  }
}
