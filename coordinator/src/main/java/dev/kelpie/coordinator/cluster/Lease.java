package dev.kelpie.coordinator.cluster;

import java.time.Instant;

/**
 * One node's hold on one agent. {@code epoch} is the fencing token: it grows with every new owner (and every new
 * acquisition), so a command stamped with an older one comes from a node that no longer owns the agent.
 */
public record Lease(String agentId, String ownerNode, long epoch, Instant expiresAt) {
}
