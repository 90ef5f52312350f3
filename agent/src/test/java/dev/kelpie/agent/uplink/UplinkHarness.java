package dev.kelpie.agent.uplink;

import dev.kelpie.agent.metrics.AgentMetrics;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real uplink of agent "web-01" against a {@link FakeCoordinator}, as the batch window's tests drive it: deployed
 * with a window of its own, fed results on the agent's bus, timed by when frames arrive.
 */
final class UplinkHarness {

  private UplinkHarness() {
  }

  /** Deploys the uplink on {@code agent} with {@code window} as its own batch window (quick reconnects and replies). */
  static void start(Vertx agent, FakeCoordinator coordinator, Path stateDir, Duration window) {
    agent.eventBus().consumer(Addresses.LOCAL_SERVICES, msg -> msg.reply(new JsonArray()));
    UplinkVerticle.Settings settings = new UplinkVerticle.Settings(coordinator.url(), "token", Duration.ofMillis(50),
      Duration.ofMillis(200), 1000, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(2), null, null,
      window);
    agent.deployVerticle(new UplinkVerticle("web-01", "web-01", "test", List.of(), settings, stateDir,
      Clock.systemUTC(), AgentMetrics.NONE)).await();
  }

  /** A result of check "web" on the agent's bus, as a probe publishes it. */
  static void publish(Vertx agent, boolean up, String detail) {
    ProbeResult result = up ? ProbeResult.up("web-01", "web", Instant.now(), Duration.ZERO, detail)
      : ProbeResult.down("web-01", "web", Instant.now(), Duration.ZERO, detail);
    agent.eventBus().publish(Addresses.LOCAL_REPORT, result.toJson());
  }

  /** The check's first result (which matters) has reached the coordinator: what follows while it stays UP is routine. */
  static void primed(Vertx agent, FakeCoordinator coordinator) throws InterruptedException {
    publish(agent, true, "r1");
    coordinator.await(frames -> !frames.isEmpty());
  }

  static long millisSince(long nanos, FakeCoordinator.Frame frame) {
    return TimeUnit.NANOSECONDS.toMillis(frame.arrivedNanos() - nanos);
  }
}
