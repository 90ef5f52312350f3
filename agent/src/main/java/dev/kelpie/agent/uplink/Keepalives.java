package dev.kelpie.agent.uplink;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Keepalive;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The agent's keepalives: every interval its vitals go to the coordinator, as a keepalive frame of their own unless a
 * batch was taken within the interval and the coordinator takes vitals in batches (its hello's reply said so): then
 * they ride the next batch instead, if one leaves within {@link #rideWait}; if none does, they leave as a keepalive
 * frame after all. So the coordinator hears from the agent at least every interval and a little, as before.
 */
final class Keepalives {

  private static final Duration MIN_RIDE_WAIT = Duration.ofMillis(500);

  private final Vertx vertx;
  private final String agentId;
  private final Clock clock;
  private final Supplier<Duration> batchWindow;
  private final AgentVitals vitals;
  /** The connection whose hello was answered; null while there is none. */
  private BridgeConnection link;
  /** The coordinator takes vitals riding a report batch. */
  private boolean inBatches;
  /** A batch was taken since the last keepalive: the coordinator heard from this agent within the interval. */
  private boolean takenSinceKeepalive;
  /** The latest vitals, waiting for the next batch to carry them; null when none wait. */
  private Keepalive riding;

  /**
   * {@code batchWindow}: the window now (the coordinator's advice may widen it), how long vitals wait for a batch to
   * ride, and at least half a second: a batch leaves within a window of its first routine report, so vitals that
   * waited less would leave as a frame of their own just before a batch that could have carried them.
   */
  Keepalives(Vertx vertx, String agentId, Clock clock, Supplier<Duration> batchWindow) {
    this.vertx = vertx;
    this.agentId = agentId;
    this.clock = clock;
    this.batchWindow = batchWindow;
    this.vitals = new AgentVitals(vertx);
  }

  private long rideWaitMillis() {
    Duration window = batchWindow.get();
    return (window.compareTo(MIN_RIDE_WAIT) > 0 ? window : MIN_RIDE_WAIT).toMillis();
  }

  /** Measures the vitals and sends them every {@code interval}; {@code bufferDepth}: the reports waiting to leave. */
  void start(Duration interval, IntSupplier bufferDepth) {
    vitals.start();
    vertx.setPeriodic(interval.toMillis(), id -> due(bufferDepth));
  }

  /** A connection's hello was answered; {@code vitalsInBatches}: its coordinator takes vitals riding batches. */
  void linked(BridgeConnection connection, boolean vitalsInBatches) {
    link = connection;
    inBatches = vitalsInBatches;
    riding = null;
  }

  /** The connection is gone: nothing is sent until the next one's hello is answered. */
  void unlinked() {
    link = null;
  }

  /** The coordinator took a batch. */
  void batchTaken() {
    takenSinceKeepalive = true;
  }

  /** The vitals to ride the batch leaving now, or null; they are taken. */
  Keepalive ride() {
    Keepalive vitals = riding;
    riding = null;
    return vitals;
  }

  private void due(IntSupplier bufferDepth) {
    BridgeConnection conn = link;
    if (conn == null) {
      return;
    }
    boolean carried = inBatches && takenSinceKeepalive;
    takenSinceKeepalive = false;
    vitals.rssBytes().onSuccess(rss -> {
      if (conn != link) {
        return;
      }
      Keepalive keepalive = new Keepalive(agentId, clock.instant(), rss, AgentVitals.cpuLoad(),
        vitals.takeWorstLagMillis(), bufferDepth.getAsInt());
      if (!carried) {
        riding = null;
        conn.send(Addresses.AGENT_KEEPALIVE, keepalive.toJson());
        return;
      }
      riding = keepalive;
      vertx.setTimer(rideWaitMillis(), id -> {
        if (riding == keepalive && conn == link) {
          riding = null;
          conn.send(Addresses.AGENT_KEEPALIVE, keepalive.toJson());
        }
      });
    });
  }
}
