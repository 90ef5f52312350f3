package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds agents that died together with their coordinator. Only an agent's owner tracks its silence, so when host and
 * owner die at once no one would ever call it lost. A surviving node notices instead: a lease that ran out, whose
 * holder is no longer a member, and that no node took over within a grace (the agents that are still alive come back
 * well within it), is claimed by exactly one node (one compare-and-set statement) and adopted there, disconnected
 * and silent since the store last heard of it; that node's policy then calls it lost in its own time, with the event
 * and the alert it gives any agent.
 */
final class OrphanWatch {

  private static final Logger log = LoggerFactory.getLogger(OrphanWatch.class);

  private final Vertx vertx;
  private final Leases leases;
  private final Supplier<Collection<String>> members;
  private final Duration grace;
  private boolean looking;

  OrphanWatch(Vertx vertx, Leases leases, Supplier<Collection<String>> members, Duration grace) {
    this.vertx = vertx;
    this.leases = leases;
    this.members = members;
    this.grace = grace;
  }

  /** Looks every {@code every}; {@code adopt} takes each orphan claimed for this node (on the caller's context). */
  void start(Duration every, Function<String, Future<?>> adopt) {
    vertx.setPeriodic(Math.max(100, every.toMillis()), id -> look(adopt));
  }

  private void look(Function<String, Future<?>> adopt) {
    if (looking) {
      return;
    }
    looking = true;
    leases.claimOrphans(members.get(), grace).onComplete(done -> {
      looking = false;
      if (done.failed()) {
        log.warn("could not look for agents whose coordinator died: {}", done.cause().getMessage());
        return;
      }
      for (String agentId : done.result()) {
        log.atWarn().addKeyValue("agent", agentId).log("agent orphaned: its coordinator left the cluster and it did "
          + "not come back to another within {} s; this node keeps watch on it", grace.toSeconds());
        adopt.apply(agentId).onFailure(failure -> log.atError().addKeyValue("agent", agentId)
          .log("could not adopt the orphaned agent: {}", failure.getMessage()));
      }
    });
  }
}
