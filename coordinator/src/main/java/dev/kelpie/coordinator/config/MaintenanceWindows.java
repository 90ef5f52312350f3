package dev.kelpie.coordinator.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Planned work during which no alert is sent for the hosts it covers: a time range, and which agents (a regex on the
 * agent id or host, and labels that must all match; none given: every agent).
 */
public record MaintenanceWindows(List<Window> windows) {

  public static final MaintenanceWindows NONE = new MaintenanceWindows(List.of());

  public record Window(String name, Instant from, Instant until, Pattern agents, Map<String, String> labels) {

    boolean covers(String agentId, String host, Map<String, String> checkLabels, Instant now) {
      if (now.isBefore(from) || !now.isBefore(until)) {
        return false;
      }
      if (agents != null && !agents.matcher(agentId).matches() && (host == null || !agents.matcher(host).matches())) {
        return false;
      }
      return labels.entrySet().stream().allMatch(label -> label.getValue().equals(checkLabels.get(label.getKey())));
    }
  }

  public MaintenanceWindows {
    windows = List.copyOf(windows);
  }

  /** The window covering this agent's check now, or null. */
  public Window covering(String agentId, String host, Map<String, String> labels, Instant now) {
    for (Window window : windows) {
      if (window.covers(agentId, host, labels, now)) {
        return window;
      }
    }
    return null;
  }
}
