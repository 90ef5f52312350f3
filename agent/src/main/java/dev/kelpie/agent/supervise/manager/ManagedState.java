package dev.kelpie.agent.supervise.manager;

/**
 * A service as its manager sees it: {@code pid} is the main pid (null when not running), {@code state} the manager's
 * own word ("RUNNING", "active (running)", "exited"), {@code exitCode} the last exit code when the manager knows it.
 */
public record ManagedState(Long pid, String state, Integer exitCode) {

  public boolean running() {
    return pid != null;
  }
}
