package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Leases for a coordinator alone with its in-memory store: no other node can exist, so every acquisition is granted
 * (with a higher epoch, as in PostgreSQL) and a lease is lost only by a newer acquisition or a release.
 */
public final class MemoryLeases implements Leases {

  private final String node;
  private final Duration term;
  private final Clock clock;
  private final Map<String, Lease> held = new HashMap<>();
  private final Map<String, Long> epochs = new HashMap<>();

  public MemoryLeases(String node, Duration term, Clock clock) {
    this.node = node;
    this.term = term;
    this.clock = clock;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public synchronized Future<Optional<Lease>> acquire(String agentId, long floor) {
    long epoch = Math.max(epochs.merge(agentId, 1L, Long::sum), floor);
    epochs.put(agentId, epoch);
    Lease lease = new Lease(agentId, node, epoch, clock.instant().plus(term));
    held.put(agentId, lease);
    return Future.succeededFuture(Optional.of(lease));
  }

  @Override
  public synchronized Future<Optional<Lease>> renew(Lease lease) {
    Lease current = held.get(lease.agentId());
    if (current == null || current.epoch() != lease.epoch() || !node.equals(lease.ownerNode())) {
      return Future.succeededFuture(Optional.empty());
    }
    Lease renewed = new Lease(lease.agentId(), node, lease.epoch(), clock.instant().plus(term));
    held.put(lease.agentId(), renewed);
    return Future.succeededFuture(Optional.of(renewed));
  }

  @Override
  public synchronized Future<Boolean> release(Lease lease) {
    Lease current = held.get(lease.agentId());
    boolean mine = current != null && current.epoch() == lease.epoch();
    if (mine) {
      held.remove(lease.agentId());
    }
    return Future.succeededFuture(mine);
  }

  @Override
  public synchronized Future<Optional<Lease>> holder(String agentId) {
    return Future.succeededFuture(Optional.ofNullable(held.get(agentId)));
  }
}
