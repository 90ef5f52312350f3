package dev.kelpie.agent.uplink;

import io.vertx.core.Vertx;

import java.time.Duration;

/**
 * How long routine reports may linger before their batch leaves: at most {@code window} from the first of them, so
 * several share one frame (and one acknowledgement) instead of one frame each. A report that matters does not wait for
 * the window: the sender sends what lingers with it at once. A zero window never lingers. Runs on one event loop.
 */
public final class BatchWindow {

  /**
   * Half a second: with the common shape of ten checks every 3 s (a result every 300 ms on average), about 2 to 2.6
   * results share a frame instead of one (a 250 ms window, shorter than that spacing, gains nothing when the checks are
   * spread evenly), while a routine result reaches the dashboard at most half a second later; a second would share
   * about four, but delay a healthy check's tile visibly.
   */
  public static final Duration DEFAULT = Duration.ofMillis(500);

  private final Vertx vertx;
  private final long windowMillis;
  private final Runnable onDue;
  private long timer = -1;
  private boolean due;

  /** {@code onDue} runs when lingering reports must leave (the sender sends, unless a batch is in flight). */
  public BatchWindow(Vertx vertx, Duration window, Runnable onDue) {
    this.vertx = vertx;
    this.windowMillis = window.toMillis();
    this.onDue = onDue;
  }

  /** A routine report is waiting: the window opens now unless it is already open or over. */
  public void lingering() {
    if (windowMillis > 0 && timer == -1 && !due) {
      timer = vertx.setTimer(windowMillis, id -> {
        timer = -1;
        due = true;
        onDue.run();
      });
    }
  }

  /** Whether routine reports may wait still: the window is open. */
  public boolean mayWait() {
    return windowMillis > 0 && !due;
  }

  /** What waits must leave at the next chance (after a reconnect, after the coordinator's wait). */
  public void dueNow() {
    close();
    due = true;
  }

  /** A batch left; {@code nothingLeft}: it took every report waiting, so the next routine one opens a new window. */
  public void sent(boolean nothingLeft) {
    if (nothingLeft) {
      close();
      due = false;
    }
  }

  private void close() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
