package dev.kelpie.coordinator.policy;

/**
 * Reports from an agent that has not said hello on its current connection: the agent's mistake (it must send its
 * hello first), told apart from a fault of the policy itself.
 */
public final class NoHello extends IllegalStateException {

  private final String agentId;

  NoHello(String agentId) {
    super("agent '" + agentId + "' must send its hello before reports");
    this.agentId = agentId;
  }

  public String agentId() {
    return agentId;
  }
}
