package dev.kelpie.agent.supervise;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps the agent's own decisions and the coordinator's commands apart on one service: while a command of one side
 * runs (or waits) on it, a command of the other side is refused as busy instead of queued, so a hand-over between the
 * two can never restart a service twice for one failure.
 */
final class CommandFence {

  private final Map<String, int[]> running = new HashMap<>();

  /** Null when the command may run (it is then counted until {@link #leave}), else why it is refused. */
  String enter(String service, boolean local) {
    int[] counts = running.computeIfAbsent(service, s -> new int[2]);
    if (counts[local ? 1 : 0] > 0) {
      return local ? "busy: a command of the coordinator is running on " + service
        : "busy: the agent is restarting " + service + " on its own decision, taken while the coordinator was away";
    }
    counts[local ? 0 : 1]++;
    return null;
  }

  void leave(String service, boolean local) {
    int[] counts = running.get(service);
    if (counts != null) {
      counts[local ? 0 : 1]--;
      if (counts[0] == 0 && counts[1] == 0) {
        running.remove(service);
      }
    }
  }
}
