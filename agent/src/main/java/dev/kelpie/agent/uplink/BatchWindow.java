package dev.kelpie.agent.uplink;

import io.vertx.core.Vertx;

import java.time.Duration;

/**
 * How long routine reports may linger before their batch leaves: at most {@code window} from the first of them, so
 * several share one frame (and one acknowledgement) instead of one frame each. A report that matters does not wait for
 * the window: the sender sends what lingers with it at once. A zero window never lingers. Runs on one event loop.
 * <p>
 * The coordinator may {@linkplain #advise advise} a longer window when it is overloaded (fewer frames for the same
 * results): the window is then the longer of the agent's own and the advice, the advice bounded by {@link #MAX_ADVICE}.
 * An agent configured with {@code 0ms} takes the advice too: its own choice was about freshness on the dashboard, the
 * advice is about a coordinator that cannot keep up, which makes everything late. A window already open keeps its
 * length; the advice applies from the next one.
 */
public final class BatchWindow {

  /**
   * Half a second: with the common shape of ten checks every 3 s (a result every 300 ms on average), about 2 to 2.6
   * results share a frame instead of one (a 250 ms window, shorter than that spacing, gains nothing when the checks are
   * spread evenly), while a routine result reaches the dashboard at most half a second later; a second would share
   * about four, but delay a healthy check's tile visibly.
   */
  public static final Duration DEFAULT = Duration.ofMillis(500);

  /**
   * The longest window a coordinator's advice can make: one frame per check interval at the common 3 s, and a routine
   * result on the dashboard no later than that. A larger advice (a coordinator's mistake or a newer one's) is cut to it.
   */
  public static final Duration MAX_ADVICE = Duration.ofSeconds(3);

  private final Vertx vertx;
  private final long ownMillis;
  private long windowMillis;
  private long advisedMillis;
  private final Runnable onDue;
  private long timer = -1;
  private boolean due;

  /** {@code onDue} runs when lingering reports must leave (the sender sends, unless a batch is in flight). */
  public BatchWindow(Vertx vertx, Duration window, Runnable onDue) {
    this.vertx = vertx;
    this.ownMillis = window.toMillis();
    this.windowMillis = ownMillis;
    this.onDue = onDue;
  }

  /**
   * The coordinator's advice, from its latest answer: {@code advisedMillis} (null or 0: none, as from a coordinator
   * that is not overloaded or predates advice). Returns whether the window's length changed.
   */
  public boolean advise(Long advisedMillis) {
    long advised = advisedMillis == null ? 0 : Math.max(0, Math.min(advisedMillis, MAX_ADVICE.toMillis()));
    if (advised == this.advisedMillis) {
      return false;
    }
    this.advisedMillis = advised;
    long before = windowMillis;
    windowMillis = Math.max(ownMillis, advised);
    return windowMillis != before;
  }

  /** How long routine reports may linger now: the agent's own window or the coordinator's advice, the longer. */
  public Duration current() {
    return Duration.ofMillis(windowMillis);
  }

  /** The coordinator's advice now, 0 when none. */
  public long advisedMillis() {
    return advisedMillis;
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
