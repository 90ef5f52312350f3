package dev.kelpie.coordinator.policy;

/**
 * A report batch the policy will not take, for a reason the agent's own (a sequence number far past the last one
 * taken): the agent is refused ({@code PolicyVerticle.MALFORMED}) and its connection closed.
 */
public final class ReportsRefused extends RuntimeException {

  public ReportsRefused(String agentId, String why) {
    super("reports of agent '" + agentId + "' refused: " + why);
  }
}
