package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;

import java.util.Optional;

/**
 * Agent ownership for one node: at most one node holds an agent's lease at a time, and each new hold gets a higher
 * epoch. Acquire takes a lease that is free, released or expired (or already this node's); renew keeps it only while
 * it is still this node's, with the same epoch, and not expired. An empty answer means "not yours".
 */
public interface Leases {

  /** The node these leases are taken for. */
  String node();

  /** This node's new lease on the agent, with a higher epoch than any before; empty when another node holds it. */
  Future<Optional<Lease>> acquire(String agentId);

  /** The lease extended; empty when it was lost (expired, taken by another node, or released). */
  Future<Optional<Lease>> renew(Lease lease);

  /** Gives the lease up, so another node may take it at once; false when it was no longer held. */
  Future<Boolean> release(Lease lease);

  /** Who holds the agent now, if anyone (an expired lease is held by no one). */
  Future<Optional<Lease>> holder(String agentId);
}
