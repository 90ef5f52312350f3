package dev.kelpie.coordinator.cluster;

import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The fleet's counts across clustered coordinators, so the fleet rules judge the whole fleet and not one node's share
 * of it. Each node publishes its own share ({@link FleetShare}: restarts running and waiting, in all and per label
 * group; its hosts per group; per shared cause, its hosts failing it, recently, and having it) on the clustered event
 * bus ({@link Addresses#FLEET_SHARES}) every {@code every} (250 ms), at once when its restarts running or waiting
 * change, and at once when it received a new version of another node's share (its acknowledgement, which the blast
 * radius waits for). Each node keeps the latest share of every other live node ({@link PeerShares}), dropped when that
 * node leaves the cluster (by the cluster manager's member list, looked at on every round) or has not been heard for
 * {@code staleAfter}; the rules add them to their own counts.
 *
 * <p>Everything happens on the policy's event loop: {@link #start} is called from the policy verticle's start, so the
 * consumer and the timer run there, and the rules read the shares as plain fields, never waiting. Alone (no cluster)
 * none of this exists: the rules' shares stay empty and cost nothing.
 */
public final class FleetCounters {

  private static final Logger log = LoggerFactory.getLogger(FleetCounters.class);

  private final ClusterManager cluster;
  private final PeerShares peers;
  private final Duration every;
  private Vertx vertx;
  private Supplier<FleetShare> own;
  private LongSupplier version;
  private long published = -1;
  private Map<String, Long> heardPublished = Map.of();

  public FleetCounters(ClusterManager cluster, Duration every, Duration staleAfter) {
    this.cluster = cluster;
    this.peers = new PeerShares(cluster.getNodeId(), staleAfter);
    this.every = every;
  }

  /** The other nodes' shares, for the fleet rules. */
  public PeerShares peers() {
    return peers;
  }

  /**
   * Starts publishing {@code own} share (whose counts change with {@code version}) and taking the others'; call it on
   * the policy's context.
   */
  public Future<Void> start(Vertx vertx, Supplier<FleetShare> own, LongSupplier version) {
    this.vertx = vertx;
    this.own = own;
    this.version = version;
    vertx.setPeriodic(every.toMillis(), id -> round());
    return vertx.eventBus().<JsonObject>consumer(Addresses.FLEET_SHARES, this::onShare).completion();
  }

  /** After each decision: this node's share goes out at once if its restarts running or waiting changed. */
  public void changed() {
    if (vertx != null && version.getAsLong() != published) {
      publish();
    }
  }

  private void round() {
    for (String gone : peers.retain(cluster.getNodes(), System.nanoTime())) {
      log.info("fleet counts: coordinator {} left or went silent; its share is no longer counted", gone);
    }
    publish();
  }

  private void onShare(Message<JsonObject> message) {
    FleetShare share;
    try {
      share = FleetShare.fromJson(message.body());
    } catch (RuntimeException e) {
      log.warn("fleet counts: an unreadable share ignored: {}", e.getMessage());
      return;
    }
    if (!cluster.getNodes().contains(share.node())) {
      return;   // from a node that already left: it would be counted until stale
    }
    boolean known = peers.heard().containsKey(share.node());
    if (peers.put(share, System.nanoTime()) && !peers.heard().equals(heardPublished)) {
      if (!known) {
        log.info("fleet counts: coordinator {} counted with this one", share.node());
      }
      publish();   // the acknowledgement the other node waits for before a restart goes
    }
  }

  private void publish() {
    FleetShare counted = own.get();   // first: it drops the restarts answered meanwhile, which may change the version
    Map<String, Long> heard = peers.heard();
    FleetShare share = counted.as(peers.self(), counted.version(), heard);
    published = share.version();
    heardPublished = heard;
    vertx.eventBus().publish(Addresses.FLEET_SHARES, share.toJson());
  }
}
