package dev.kelpie.agent.uplink;

import dev.kelpie.agent.metrics.AgentMetrics;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While report batches flow, the agent's vitals ride them instead of keepalive frames of their own, but only to a
 * coordinator that said it takes them; a quiet agent still sends keepalive frames. Style: the real uplink against a
 * fake coordinator's bridge end, the test thread polling what it received.
 */
class KeepaliveInBatchesTest {

  private static final Duration KEEPALIVE = Duration.ofMillis(500);

  @TempDir
  Path stateDir;
  private FakeCoordinator coordinator;
  private final Vertx agent = Vertx.vertx();

  @AfterEach
  void close() {
    agent.close().await();
    coordinator.close();
  }

  private void start(boolean takesVitals) throws InterruptedException {
    coordinator = new FakeCoordinator(takesVitals);
    agent.eventBus().consumer(Addresses.LOCAL_SERVICES, msg -> msg.reply(new JsonArray()));
    UplinkVerticle.Settings settings = new UplinkVerticle.Settings(coordinator.url(), "token", Duration.ofMillis(50),
      Duration.ofMillis(200), 1000, Duration.ofSeconds(5), KEEPALIVE, Duration.ofSeconds(2), null, null,
      Duration.ZERO);
    agent.deployVerticle(new UplinkVerticle("web-01", "web-01", "test", List.of(), settings, stateDir,
      Clock.systemUTC(), AgentMetrics.NONE)).await();
    // the intervals below count from a live link: on a loaded machine the first connect alone may take seconds
    agent.eventBus().publish(Addresses.LOCAL_REPORT,
      ProbeResult.up("web-01", "web", Instant.now(), Duration.ZERO, "first").toJson());
    coordinator.await(frames -> !frames.isEmpty());
  }

  /** A result every 50 ms for {@code millis}: batches flow all along. */
  private void busyFor(long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      agent.eventBus().publish(Addresses.LOCAL_REPORT,
        ProbeResult.up("web-01", "web", Instant.now(), Duration.ZERO, "ok").toJson());
      Thread.sleep(50);
    }
  }

  private long batchesWithVitals() {
    return coordinator.frames().stream().filter(frame -> frame.batch().vitals() != null).count();
  }

  @Test
  @DisplayName("batches flowing to a coordinator that takes vitals in them: the vitals ride the batches, no keepalive "
    + "frames after the first interval")
  void vitalsRideTheBatches() throws InterruptedException {
    start(true);
    busyFor(KEEPALIVE.toMillis() * 2);
    int keepalivesBefore = coordinator.keepalives().size();
    busyFor(KEEPALIVE.toMillis() * 5);

    assertThat(coordinator.keepalives()).hasSize(keepalivesBefore);
    assertThat(batchesWithVitals()).isGreaterThanOrEqualTo(3);
    assertThat(coordinator.frames()).filteredOn(frame -> frame.batch().vitals() != null)
      .allSatisfy(frame -> assertThat(frame.batch().vitals().rssBytes()).isPositive());
  }

  @Test
  @DisplayName("a coordinator that did not say it takes vitals in batches (an older one) gets keepalive frames")
  void olderCoordinatorGetsKeepalives() throws InterruptedException {
    start(false);
    busyFor(KEEPALIVE.toMillis() * 5);

    assertThat(coordinator.keepalives().size()).isGreaterThanOrEqualTo(3);
    assertThat(batchesWithVitals()).isZero();
  }

  @Test
  @DisplayName("a quiet agent (no batch within the interval) sends keepalive frames, so it is never taken for lost")
  void quietAgentSendsKeepalives() throws InterruptedException {
    start(true);
    busyFor(KEEPALIVE.toMillis());
    int before = coordinator.keepalives().size();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (coordinator.keepalives().size() < before + 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(coordinator.keepalives().size()).isGreaterThanOrEqualTo(before + 3);
  }
}
