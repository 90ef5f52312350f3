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

  /** A check's UP results in a row, counted up to its success threshold. */
  private static final class Run {
    final int threshold;
    int upInARow;

    Run(int threshold) {
      this.threshold = threshold;
    }
  }

  /** One lookup a report: every report passes here. */
  private final Map<String, Run> runs = new HashMap<>();

  public RoutineReports(List<CheckSpec> checks) {
    for (CheckSpec check : checks) {
      runs.put(check.id(), new Run(check.policy() == null ? 1 : Math.max(1, check.policy().successThreshold())));
    }
  }

  /** Whether {@code report} may wait; remembers it, so the next report of its check is judged against it. */
  public boolean routine(Report report) {
    if (!(report instanceof ProbeResult result)) {
      runs.values().forEach(run -> run.upInARow = 0);
      return false;
    }
    Run run = runs.computeIfAbsent(result.checkId(), unknown -> new Run(1));
    if (!result.up()) {
      run.upInARow = 0;
      return false;
    }
    int before = run.upInARow;
    run.upInARow = Math.min(before + 1, run.threshold);
    return before >= run.threshold;
  }
}
