package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells a routine report, which may wait a little for others to share its frame, from one that matters, which must
 * reach the coordinator at once. Routine: an UP result of a check whose results were UP often enough before it that
 * the coordinator already counts the check healthy (its policy's {@code successThreshold}, at least one), so the
 * result moves nothing there. Everything else matters: a DOWN (a threshold may be crossed), the UPs that bring a check
 * back, a check's first result, a process event or a command result, and every result of the checks after one of
 * those (the service just changed under them). Sees reports in the order they are numbered.
 */
public final class RoutineReports {

  private final Map<String, Integer> successThresholds = new HashMap<>();
  /** UP results in a row, per check, counted up to its success threshold. */
  private final Map<String, Integer> upInARow = new HashMap<>();

  public RoutineReports(List<CheckSpec> checks) {
    for (CheckSpec check : checks) {
      successThresholds.put(check.id(), check.policy() == null ? 1 : Math.max(1, check.policy().successThreshold()));
    }
  }

  /** Whether {@code report} may wait; remembers it, so the next report of its check is judged against it. */
  public boolean routine(Report report) {
    if (!(report instanceof ProbeResult result)) {
      upInARow.clear();
      return false;
    }
    if (!result.up()) {
      upInARow.put(result.checkId(), 0);
      return false;
    }
    int threshold = successThresholds.getOrDefault(result.checkId(), 1);
    int before = upInARow.getOrDefault(result.checkId(), 0);
    upInARow.put(result.checkId(), Math.min(before + 1, threshold));
    return before >= threshold;
  }
}
