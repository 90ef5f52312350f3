package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Agent ownership for one node: at most one node holds an agent's lease at a time, and each new hold gets a higher
 * epoch. Acquire takes a lease that is free, released or expired (or already this node's); renew keeps it only while
 * it is still this node's, with the same epoch, and not expired. An empty answer means "not yours".
 */
public interface Leases {

  /** The node these leases are taken for. */
  String node();

  /** This node's new lease on the agent, with a higher epoch than any before; empty when another node holds it. */
  default Future<Optional<Lease>> acquire(String agentId) {
    return acquire(agentId, 1);
  }

  /**
   * As {@link #acquire(String)}, with an epoch of at least {@code floor}: a coordinator passes its own start epoch, so
   * the fencing token is above every epoch an agent may remember from the coordinators before it.
   */
  Future<Optional<Lease>> acquire(String agentId, long floor);

  /**
   * As {@link #acquire(String, long)}, also taking a live lease whose holder is one of {@code departed}: nodes the
   * cluster saw leave, whose leases would otherwise keep their agents waiting out the term. Safe against a holder
   * that only froze: the new epoch is higher, so the agent refuses the old holder's commands once it has this one's
   * answer, and the old holder's next renewal fails, so it gives the agent up.
   */
  default Future<Optional<Lease>> acquire(String agentId, long floor, Collection<String> departed) {
    return acquire(agentId, floor);
  }

  /**
   * As {@link #acquire(String, long, Collection)} for several agents in one go: the leases granted, by agent (an agent
   * missing was refused: another node holds it).
   */
  default Future<Map<String, Lease>> acquireAll(Collection<String> agentIds, long floor, Collection<String> departed) {
    List<Future<Optional<Lease>>> each = agentIds.stream().map(id -> acquire(id, floor, departed)).toList();
    return Future.all(each).map(all -> {
      Map<String, Lease> granted = new HashMap<>();
      each.forEach(one -> one.result().ifPresent(lease -> granted.put(lease.agentId(), lease)));
      return granted;
    });
  }

  /**
   * Orphans: agents whose lease ran out at least {@code grace} ago, held last by a node that is not one of
   * {@code members} (it died, and no one took the agent over: the agent's host is likely gone too). Each is claimed
   * for this node in the same statement (its lease released in this node's name: no other node claims it again while
   * this one lives, and one does if this one dies in turn) and answered once.
   */
  default Future<List<String>> claimOrphans(Collection<String> members, Duration grace) {
    return Future.succeededFuture(List.of());
  }

  /** Renews every lease in one go; answers the ones still held (renewed), the others were lost. */
  default Future<List<Lease>> renewAll(Collection<Lease> leases) {
    List<Future<Optional<Lease>>> renewals = leases.stream().map(this::renew).toList();
    return Future.join(renewals).transform(done -> Future.succeededFuture(renewals.stream()
      .filter(Future::succeeded).map(Future::result).flatMap(Optional::stream).toList()));
  }

  /** Of {@code agentIds}, those another node holds now (a live lease). */
  default Future<Set<String>> heldElsewhere(Collection<String> agentIds) {
    List<Future<Optional<Lease>>> holders = agentIds.stream().map(this::holder).toList();
    return Future.all(holders).map(all -> holders.stream().map(Future::result).flatMap(Optional::stream)
      .filter(lease -> !node().equals(lease.ownerNode())).map(Lease::agentId)
      .collect(java.util.stream.Collectors.toSet()));
  }

  /** The lease extended; empty when it was lost (expired, taken by another node, or released). */
  Future<Optional<Lease>> renew(Lease lease);

  /** Gives the lease up, so another node may take it at once; false when it was no longer held. */
  Future<Boolean> release(Lease lease);

  /** Who holds the agent now, if anyone (an expired lease is held by no one). */
  Future<Optional<Lease>> holder(String agentId);
}
