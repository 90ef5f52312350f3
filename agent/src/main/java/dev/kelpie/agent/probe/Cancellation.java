package dev.kelpie.agent.probe;

import java.util.ArrayList;
import java.util.List;

/** The runner's word to one probe run that its time is up. Used on the verticle's context only. */
public final class Cancellation {

  private final List<Runnable> actions = new ArrayList<>();
  private boolean cancelled;

  /** Runs {@code action} when the run is cancelled (at once if it already is). */
  public void onCancel(Runnable action) {
    if (cancelled) {
      action.run();
    } else {
      actions.add(action);
    }
  }

  public boolean cancelled() {
    return cancelled;
  }

  void cancel() {
    if (!cancelled) {
      cancelled = true;
      actions.forEach(Runnable::run);
      actions.clear();
    }
  }
}
