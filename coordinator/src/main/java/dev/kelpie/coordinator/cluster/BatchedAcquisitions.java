package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Agents' leases acquired together: when a node dies, its agents' hellos arrive at the others at once, and one
 * statement takes all those asked for in one turn ({@link Leases#acquireAll}); those asked for while it runs go in
 * the next. A thousand takeovers are then a handful of statements, not a thousand queued on the leases' small pool.
 */
final class BatchedAcquisitions {

  private final Vertx vertx;
  private final Leases leases;
  private final long floor;
  private final Supplier<Collection<String>> departed;
  private Map<String, List<Promise<Optional<Lease>>>> next = new LinkedHashMap<>();
  private boolean acquiring;

  BatchedAcquisitions(Vertx vertx, Leases leases, long floor, Supplier<Collection<String>> departed) {
    this.vertx = vertx;
    this.leases = leases;
    this.floor = floor;
    this.departed = departed;
  }

  /** The agent's new lease; empty when another (live) node holds it. */
  synchronized Future<Optional<Lease>> acquire(String agentId) {
    Promise<Optional<Lease>> acquired = Promise.promise();
    next.computeIfAbsent(agentId, id -> new ArrayList<>()).add(acquired);
    if (!acquiring) {
      acquiring = true;
      vertx.runOnContext(v -> acquireNext());
    }
    return acquired.future();
  }

  private void acquireNext() {
    Map<String, List<Promise<Optional<Lease>>>> batch;
    synchronized (this) {
      batch = next;
      next = new LinkedHashMap<>();
      if (batch.isEmpty()) {
        acquiring = false;
        return;
      }
    }
    leases.acquireAll(batch.keySet(), floor, departed.get()).onComplete(done -> {
      batch.forEach((agentId, waiting) -> waiting.forEach(promise -> {
        if (done.succeeded()) {
          promise.complete(Optional.ofNullable(done.result().get(agentId)));
        } else {
          promise.fail(done.cause());
        }
      }));
      acquireNext();
    });
  }
}
