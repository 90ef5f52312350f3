package dev.kelpie.coordinator.load;

import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The advice as a state machine: one sample of the loops' lag a second in, the advised window out. */
class WindowAdviceTest {

  private static final WindowAdvice.Settings DEFAULT = WindowAdvice.Settings.DEFAULT;

  /** The advice after each of {@code seconds} samples of {@code lagMillis}. */
  private static List<Long> feed(WindowAdvice advice, double lagMillis, int seconds) {
    List<Long> advised = new ArrayList<>();
    for (int i = 0; i < seconds; i++) {
      advice.observe(lagMillis);
      advised.add(advice.advisedMillis());
    }
    return advised;
  }

  private static long last(List<Long> advised) {
    return advised.get(advised.size() - 1);
  }

  @Test
  @DisplayName("no pressure, no advice: the agents keep their own windows")
  void calmGivesNoAdvice() {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    assertThat(feed(advice, 1, 600)).containsOnly(0L);
  }

  @Test
  @DisplayName("sustained pressure widens a step every 5 s, through 1000, 1500, 2000 to 3000 ms, and no further")
  void sustainedPressureWidensInSteps() {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    List<Long> advised = feed(advice, 200, 30);
    assertThat(advised.subList(0, 4)).containsOnly(0L);
    assertThat(advised.get(4)).isEqualTo(1000);
    assertThat(advised.subList(5, 9)).containsOnly(1000L);
    assertThat(advised.get(9)).isEqualTo(1500);
    assertThat(advised.get(14)).isEqualTo(2000);
    assertThat(advised.get(19)).isEqualTo(3000);
    assertThat(last(advised)).isEqualTo(3000);
  }

  @Test
  @DisplayName("when the pressure goes, the advice narrows a step per 30 s well under the target, back to none")
  void narrowsWhenThePressureGoes() {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    feed(advice, 200, 20);
    assertThat(advice.advisedMillis()).isEqualTo(3000);
    List<Long> advised = feed(advice, 1, 120);
    assertThat(advised.subList(0, 29)).containsOnly(3000L);
    assertThat(advised.get(29)).isEqualTo(2000);
    assertThat(advised.get(59)).isEqualTo(1500);
    assertThat(advised.get(89)).isEqualTo(1000);
    assertThat(advised.get(119)).isEqualTo(0);
  }

  @Test
  @DisplayName("hysteresis: between a quarter of the target and the target the advice holds, neither way")
  void holdsBetweenTheThresholds() {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    feed(advice, 200, 10);
    assertThat(advice.advisedMillis()).isEqualTo(1500);
    assertThat(feed(advice, 10, 600)).containsOnly(1500L);
    assertThat(feed(advice, 20, 60)).as("at the target itself, not over it").containsOnly(1500L);
  }

  @Test
  @DisplayName("a lone late second neither widens the advice nor stops it narrowing (medians, not single samples)")
  void loneSpikesAreIgnored() {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    for (int i = 0; i < 120; i++) {
      advice.observe(i % 5 == 0 ? 500 : 1);
    }
    assertThat(advice.advisedMillis()).isZero();

    WindowAdvice narrowing = new WindowAdvice(DEFAULT);
    feed(narrowing, 200, 5);
    assertThat(narrowing.advisedMillis()).isEqualTo(1000);
    for (int i = 0; i < 30; i++) {
      narrowing.observe(i % 10 == 0 ? 500 : 1);
    }
    assertThat(narrowing.advisedMillis()).isZero();
  }

  @Test
  @DisplayName("each step is judged on samples taken since it: pressure from before a widening does not widen again")
  void eachStepJudgedByItsOwnEffect() {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    feed(advice, 200, 5);
    assertThat(advice.advisedMillis()).isEqualTo(1000);
    assertThat(feed(advice, 200, 4)).as("four seconds since the step, though nine over").containsOnly(1000L);
    assertThat(feed(advice, 200, 1)).containsExactly(1500L);
  }

  @Test
  @DisplayName("bounds: a minimum is advised without pressure and never narrowed below; a maximum is never passed")
  void bounds() {
    WindowAdvice floor = new WindowAdvice(new WindowAdvice.Settings(Duration.ofMillis(1500), Duration.ofSeconds(3),
      Duration.ofMillis(20)));
    assertThat(floor.advisedMillis()).isEqualTo(1500);
    assertThat(feed(floor, 0, 300)).containsOnly(1500L);
    assertThat(feed(floor, 200, 60)).containsOnly(1500L, 2000L, 3000L);

    WindowAdvice ceiling = new WindowAdvice(new WindowAdvice.Settings(Duration.ZERO, Duration.ofMillis(1200),
      Duration.ofMillis(20)));
    assertThat(feed(ceiling, 200, 60)).containsOnly(0L, 1000L, 1200L).endsWith(1200L);
  }

  @Test
  @DisplayName("off (max 0ms): never any advice, whatever the pressure")
  void off() {
    WindowAdvice advice = new WindowAdvice(WindowAdvice.Settings.OFF);
    assertThat(feed(advice, 10_000, 300)).containsOnly(0L);
  }

  @Test
  @DisplayName("the target is configurable: a lag under the default's target widens with a lower one")
  void target() {
    WindowAdvice advice = new WindowAdvice(new WindowAdvice.Settings(Duration.ZERO, Duration.ofSeconds(3),
      Duration.ofMillis(5)));
    assertThat(last(feed(advice, 10, 5))).isEqualTo(1000);
  }

  @Property
  @Label("whatever the lag, the advice is always a step within its bounds and moves at most one step a sample")
  void alwaysAStepWithinBounds(@ForAll @Size(max = 400) List<@DoubleRange(min = 0, max = 2000) Double> lags) {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    List<Long> steps = new ArrayList<>(List.of(0L));
    steps.addAll(WindowAdvice.STEPS);
    long before = advice.advisedMillis();
    for (double lag : lags) {
      WindowAdvice.Change change = advice.observe(lag);
      long now = advice.advisedMillis();
      assertThat(steps).contains(now);
      assertThat(Math.abs(steps.indexOf(now) - steps.indexOf(before))).isLessThanOrEqualTo(1);
      assertThat(change).isEqualTo(now > before ? WindowAdvice.Change.WIDENED
        : now < before ? WindowAdvice.Change.NARROWED : WindowAdvice.Change.NONE);
      before = now;
    }
  }

  @Property
  @Label("a lag always over the target never narrows the advice; one always well under never widens it")
  void monotoneUnderSteadyPressure(@ForAll @DoubleRange(min = 20.01, max = 5000) double over,
                                   @ForAll @DoubleRange(min = 0, max = 4.99) double under) {
    WindowAdvice advice = new WindowAdvice(DEFAULT);
    List<Long> widening = feed(advice, over, 40);
    assertThat(widening).isSorted();
    List<Long> narrowing = feed(advice, under, 200);
    assertThat(narrowing).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(last(narrowing)).isZero();
  }
}
