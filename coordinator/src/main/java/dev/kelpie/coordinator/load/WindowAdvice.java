package dev.kelpie.coordinator.load;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The batch window the coordinator advises its agents, from the pressure on it, sampled once a second: a step wider
 * when the median of the last {@link Settings#widenAfter} seconds' samples is over the target, a step narrower when
 * the median of the last {@link Settings#narrowAfter} seconds' is under a quarter of it (much longer: a narrower window
 * brings back the frames that caused the pressure, so it is taken back only when the pressure is clearly gone), held
 * in between. Medians, so a lone late second (a collector's pause, a neighbour's burst) neither widens nor stops a
 * narrowing; only samples since the last step count, so each step is judged by its own effect. The steps are
 * {@link #STEPS} within the configured bounds; 0 is no advice (the agents' own windows). A pure state machine: no
 * Vert.x, no clock (one sample a second is the caller's).
 */
public final class WindowAdvice {

  /**
   * The windows advised, in ms. 1000 first: the agents' default is 500 ms, so a smaller advice changes nothing for
   * most; each next step takes a third to a quarter of the routine frames away (10 checks every 3 s: 3.1 results a
   * frame at 500 ms, ~4.5 at 1 s, ~6 at 1.5 s, ~10 at 3 s, one frame per check interval).
   */
  public static final List<Long> STEPS = List.of(1000L, 1500L, 2000L, 3000L);

  /**
   * {@code min}, {@code max}: the bounds of the advice (max 0: never advise; min above 0: always advise at least
   * that); {@code target}: the pressure (the worst loop lag, {@link LoopLag}) above which the window widens.
   */
  public record Settings(Duration min, Duration max, Duration target, Duration widenAfter, Duration narrowAfter) {

    /**
     * Long enough for a step to show: the agents hear of it in their next acknowledgement (within a window) and the
     * loops' queues drain after that; a shorter wait would widen again before the last step had worked.
     */
    public static final Duration WIDEN_AFTER = Duration.ofSeconds(5);
    public static final Duration NARROW_AFTER = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX = Duration.ofSeconds(3);
    public static final Duration DEFAULT_TARGET = Duration.ofMillis(20);
    public static final Settings DEFAULT = new Settings(Duration.ZERO, DEFAULT_MAX, DEFAULT_TARGET);
    public static final Settings OFF = new Settings(Duration.ZERO, Duration.ZERO, DEFAULT_TARGET);

    public Settings(Duration min, Duration max, Duration target) {
      this(min, max, target, WIDEN_AFTER, NARROW_AFTER);
    }

    public boolean off() {
      return max.isZero();
    }
  }

  /** What a sample did to the advice. */
  public enum Change { NONE, WIDENED, NARROWED }

  private final long[] levels;
  private final double targetMillis;
  private final int widenSamples;
  private final int narrowSamples;
  /** The samples since the last step, the newest last; no more than a narrowing looks at. */
  private final ArrayDeque<Double> recent = new ArrayDeque<>();
  private int level;
  private double decidedOn = Double.NaN;

  public WindowAdvice(Settings settings) {
    this.widenSamples = (int) Math.max(1, settings.widenAfter().toSeconds());
    this.narrowSamples = (int) Math.max(1, settings.narrowAfter().toSeconds());
    this.targetMillis = settings.target().toNanos() / 1e6;
    List<Long> levels = new ArrayList<>();
    long min = settings.min().toMillis();
    long max = settings.max().toMillis();
    levels.add(min);
    for (long step : STEPS) {
      if (step > min && step <= max) {
        levels.add(step);
      }
    }
    if (max > levels.get(levels.size() - 1)) {
      levels.add(max);
    }
    this.levels = levels.stream().mapToLong(Long::longValue).toArray();
  }

  /** The advice now, in ms; 0 is none. */
  public long advisedMillis() {
    return levels[level];
  }

  /** The median of the samples that made the last step, in ms (NaN before any). */
  public double decidedOn() {
    return decidedOn;
  }

  /** One second's sample of the pressure: the worst loop lag, in ms. */
  public Change observe(double lagMillis) {
    recent.addLast(lagMillis);
    if (recent.size() > Math.max(widenSamples, narrowSamples)) {
      recent.removeFirst();
    }
    if (level < levels.length - 1 && recent.size() >= widenSamples && median(widenSamples) > targetMillis) {
      decidedOn = median(widenSamples);
      level++;
      recent.clear();
      return Change.WIDENED;
    }
    if (level > 0 && recent.size() >= narrowSamples && median(narrowSamples) < targetMillis / 4) {
      decidedOn = median(narrowSamples);
      level--;
      recent.clear();
      return Change.NARROWED;
    }
    return Change.NONE;
  }

  /** The median of the newest {@code count} samples. */
  private double median(int count) {
    double[] newest = new double[count];
    Iterator<Double> samples = recent.descendingIterator();
    for (int i = 0; i < count; i++) {
      newest[i] = samples.next();
    }
    Arrays.sort(newest);
    return count % 2 == 1 ? newest[count / 2] : (newest[count / 2 - 1] + newest[count / 2]) / 2;
  }
}
