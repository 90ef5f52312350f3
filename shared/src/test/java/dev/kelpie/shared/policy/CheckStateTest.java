package dev.kelpie.shared.policy;

import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.shared.message.PolicySpecJson;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.kelpie.shared.policy.CheckPhase.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy, scenario by scenario. Each scenario is a table: at second t, this happens; the policy then stands in
 * this phase and decides this.
 */
class CheckStateTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration FRESH = Duration.ZERO;

  /** The classic watchdog: probe every 3 s, 3 failures in a row restart, at most 3 restarts an hour. */
  private static PolicySpec classic() {
    return with(PolicySpec.defaults(), p -> p);
  }

  private static PolicySpec with(PolicySpec base, UnaryOperator<PolicySpec> change) {
    return change.apply(base);
  }

  private static PolicySpec noGrace() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), d.failureThreshold(), d.window(), d.successThreshold(),
      Duration.ZERO, false, Duration.ZERO, d.budget(), noBackoff(), true);
  }

  private static PolicySpec.Backoff noBackoff() {
    return new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, Duration.ofMinutes(10));
  }

  @Test
  @DisplayName("3 failures in a row restart; at most 3 restarts an hour, then the check gives up and stays given up")
  void classicWatchdog() {
    new Scenario(noGrace())
      .at(0).up().expect(HEALTHY)
      .at(3).down().expect(FAILING)
      .at(6).down().expect(FAILING)
      .at(9).down().expectRestart()
      .at(10).actionDone().expect(STARTING)
      .at(13).up().expect(HEALTHY)
      .at(16).down().at(19).down().at(22).down().expectRestart()
      .at(23).actionDone()
      .at(26).down().at(29).down().at(32).down().expectRestart()
      .at(33).actionDone()
      .at(36).down().at(39).down().at(42).down().expectGiveUp()
      .at(45).down().expect(GAVE_UP).expectNothing()
      .at(46).started().expect(GAVE_UP)
      .at(4000).down().expect(GAVE_UP).expectNothing()
      .reset().expect(UNKNOWN)
      .at(4003).down().at(4006).down().at(4009).down().expectRestart();
  }

  @Test
  @DisplayName("a windowed threshold (3 of the last 5) catches a flapping check that never fails 3 times in a row")
  void windowedThreshold() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, new PolicySpec.Window(3, 5), 1, Duration.ZERO,
      false, Duration.ZERO, d.budget(), d.backoff(), true);
    new Scenario(spec)
      .at(0).down().expect(FAILING)
      .at(3).up().expect(HEALTHY)
      .at(6).down().expect(FAILING)
      .at(9).up().expect(HEALTHY)
      .at(12).down().expectRestart();
  }

  @Test
  @DisplayName("the window slides: failures older than the last n results no longer count")
  void windowSlides() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, new PolicySpec.Window(3, 5), 1, Duration.ZERO,
      false, Duration.ZERO, d.budget(), d.backoff(), true);
    new Scenario(spec)
      .at(0).down().at(3).up().at(6).down().at(9).up().at(12).up().at(15).up()
      .at(18).down().expect(FAILING).expectNothing();
  }

  @Test
  @DisplayName("failures in the startup grace are not counted; after it, failures count when not waiting for health")
  void startupGrace() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, null, 1, Duration.ofSeconds(10), false,
      Duration.ZERO, d.budget(), d.backoff(), true);
    new Scenario(spec)
      .at(0).started().expect(STARTING)
      .at(3).down().at(6).down().at(9).down().expect(STARTING).expectNothing()
      .at(12).down().expect(FAILING)
      .at(15).down()
      .at(18).down().expectRestart();
  }

  @Test
  @DisplayName("waiting for the first healthy answer: failures count only once the service has been healthy")
  void waitForFirstHealthy() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, null, 1, Duration.ofSeconds(5), true,
      Duration.ofSeconds(120), d.budget(), d.backoff(), true);
    new Scenario(spec)
      .at(0).started()
      .at(10).down().at(20).down().at(30).down().at(40).down().expect(STARTING).expectNothing()
      .at(50).up().expect(HEALTHY)
      .at(53).down().at(56).down().at(59).down().expectRestart();
  }

  @Test
  @DisplayName("a service that never comes up is still restarted at its startup deadline, by a result or by time")
  void startupDeadline() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, null, 1, Duration.ofSeconds(5), true,
      Duration.ofSeconds(30), d.budget(), d.backoff(), true);
    new Scenario(spec)
      .at(0).started()
      .at(29).tick().expect(STARTING).expectNothing()
      .at(30).tick().expectRestart()
      .at(31).actionDone().expect(STARTING)
      .at(45).down().expect(STARTING).expectNothing()
      .at(61).down().expectRestart();
  }

  @Test
  @DisplayName("a service that never gets healthy is restarted exactly as often as the budget allows, then given up")
  void neverHealthyUsesTheBudget() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, null, 1, Duration.ofSeconds(2), true,
      Duration.ofSeconds(10), new PolicySpec.Budget(2, Duration.ofHours(1)), noBackoff(), true);
    Scenario scenario = new Scenario(spec).at(0).started();
    for (int t = 1; t <= 60; t++) {
      scenario.at(t).down();
      if (scenario.state.phase() == ACTING) {
        scenario.actionDone();
      }
    }
    assertThat(scenario.restarts()).isEqualTo(2);
    assertThat(scenario.giveUps()).isEqualTo(1);
    assertThat(scenario.state.phase()).isEqualTo(GAVE_UP);
  }

  @Test
  @DisplayName("more successes than one may be needed to recover from failing")
  void successThreshold() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 3, null, 2, Duration.ZERO, false, Duration.ZERO,
      d.budget(), d.backoff(), true);
    new Scenario(spec)
      .at(0).up().expect(UNKNOWN)
      .at(3).up().expect(HEALTHY)
      .at(6).down().at(9).down().expect(FAILING)
      .at(12).up().expect(FAILING)
      .at(15).down().expect(FAILING).expectNothing()
      .at(18).up().at(21).up().expect(HEALTHY);
  }

  @Test
  @DisplayName("the restart budget is a sliding window: an hour after the first restart, one more is allowed")
  void budgetSlides() {
    Scenario scenario = new Scenario(noGrace());
    for (int minute : new int[] {0, 20, 40}) {
      scenario.at(minute * 60).down().at(minute * 60 + 3).down().at(minute * 60 + 6).down().expectRestart()
        .at(minute * 60 + 7).actionDone();
    }
    scenario.at(59 * 60).down().at(59 * 60 + 3).down().at(59 * 60 + 6).down().expectGiveUp();

    Scenario later = new Scenario(noGrace());
    for (int minute : new int[] {0, 20, 40}) {
      later.at(minute * 60).down().at(minute * 60 + 3).down().at(minute * 60 + 6).down().expectRestart()
        .at(minute * 60 + 7).actionDone();
    }
    later.at(61 * 60).down().at(61 * 60 + 3).down().at(61 * 60 + 6).down().expectRestart();
  }

  @Test
  @DisplayName("backoff: the second restart waits the initial delay, the third twice that; a recovery cancels it")
  void backoffGrows() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 1, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(10, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(1), Duration.ofMinutes(10)), true);
    new Scenario(spec)
      .at(0).down().expectRestart()
      .at(1).actionDone()
      .at(2).down().expect(BACKING_OFF).expectNothing()
      .at(9).tick().expectNothing()
      .at(10).tick().expectRestart()
      .at(11).actionDone()
      .at(12).down().expect(BACKING_OFF)
      .at(29).tick().expectNothing()
      .at(30).tick().expectRestart()
      .at(31).actionDone()
      .at(32).down().expect(BACKING_OFF)
      .at(40).up().expect(HEALTHY)
      .at(100).tick().expect(HEALTHY).expectNothing();
  }

  @Test
  @DisplayName("backoff starts over after the check has been healthy for the stable period")
  void backoffResets() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 1, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(10, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(1), Duration.ofMinutes(5)), true);
    new Scenario(spec)
      .at(0).down().expectRestart()
      .at(1).actionDone()
      .at(2).up().expect(HEALTHY)
      .at(3).down().expect(BACKING_OFF)
      .at(4).up()
      .at(400).down().expectRestart();
  }

  @Test
  @DisplayName("results replayed after a disconnection are counted but never restart on their own")
  void staleResultsDoNotAct() {
    Duration old = Duration.ofMinutes(2);
    new Scenario(noGrace())
      .at(0).up()
      .at(3).downAged(old).at(6).downAged(old).at(9).downAged(old).expect(FAILING).expectNothing()
      .at(12).down().expectRestart();
    new Scenario(noGrace())
      .at(3).downAged(old).at(6).downAged(old).at(9).downAged(old)
      .at(12).up().expect(HEALTHY).expectNothing();
  }

  @Test
  @DisplayName("a check with no restart to do reports unhealthy once and recovers")
  void reportOnly() {
    PolicySpec d = noGrace();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      d.budget(), d.backoff(), false);
    new Scenario(spec)
      .at(0).down().at(3).down().expect(UNHEALTHY).expectNothing()
      .at(6).down().expect(UNHEALTHY).expectNothing()
      .at(9).up().expect(HEALTHY);
  }

  @Test
  @DisplayName("a service stopped on purpose pauses its checks until it is started again")
  void pausedByStop() {
    new Scenario(noGrace())
      .at(0).up()
      .stopped().expect(PAUSED)
      .at(3).down().at(6).down().at(9).down().expect(PAUSED).expectNothing()
      .at(10).started().expect(STARTING)
      .at(11).up().expect(HEALTHY);
  }

  @Test
  @DisplayName("a failed restart leaves the check failing, and the next failure tries again within the budget")
  void failedAction() {
    new Scenario(noGrace())
      .at(0).down().at(3).down().at(6).down().expectRestart()
      .at(7).actionFailed().expect(FAILING)
      .at(9).down().expectRestart();
  }

  @Test
  @DisplayName("a check brought back from its memory keeps its failures in a row, restart budget and give-up")
  void memoryRoundTrip() {
    Scenario before = new Scenario(noGrace());
    before.at(0).down().at(3).down().at(6).down().expectRestart().at(7).actionDone().at(8).up()
      .at(10).down().at(13).down();
    Instant now = T0.plusSeconds(14);
    CheckMemory memory = CheckMemoryJson.fromJson(CheckMemoryJson.toJson(before.state.memory(now)));
    CheckState after = new CheckState(noGrace());
    after.restore(memory);
    assertThat(after.phase()).isEqualTo(FAILING);
    assertThat(after.consecutiveFailures()).isEqualTo(2);
    assertThat(after.restartsUsed(now)).isEqualTo(1);
    assertThat(after.onResult(now, false, FRESH).kind()).as("the third failure in a row, across the restart")
      .isEqualTo(Decision.Kind.RESTART);

    Scenario gaveUp = new Scenario(new PolicySpec(noGrace().interval(), noGrace().timeout(), 1, null, 1, Duration.ZERO,
      false, Duration.ZERO, new PolicySpec.Budget(0, Duration.ofHours(1)), noBackoff(), true)).at(0).down();
    CheckState restored = new CheckState(gaveUp.state.spec());
    restored.restore(CheckMemoryJson.fromJson(CheckMemoryJson.toJson(gaveUp.state.memory(T0))));
    assertThat(restored.phase()).isEqualTo(GAVE_UP);
    assertThat(restored.onResult(T0.plusSeconds(5), false, FRESH)).isEqualTo(Decision.NONE);
  }

  @Test
  @DisplayName("impossible knobs are named")
  void problems() {
    PolicySpec d = PolicySpec.defaults();
    PolicySpec bad = new PolicySpec(Duration.ZERO, d.timeout(), 0, new PolicySpec.Window(7, 5), 0,
      Duration.ofSeconds(90), true, Duration.ofSeconds(60), new PolicySpec.Budget(-1, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ofSeconds(5), 0.5, Duration.ofSeconds(1), Duration.ofMinutes(1)), true);
    assertThat(bad.problems()).containsExactlyInAnyOrder(
      "interval: must be longer than zero, got PT0S",
      "failureThreshold: must be at least 1, got 0",
      "successThreshold: must be at least 1, got 0",
      "window.failures: must be between 1 and window.of (5), got 7",
      "startupDeadline: must not be shorter than startupGrace (PT1M30S)",
      "budget.restarts: must not be negative, got -1",
      "backoff.factor: must be at least 1, got 0.5",
      "backoff.max: must not be shorter than backoff.initial (PT5S)");
    assertThat(PolicySpec.defaults().problems()).isEmpty();
  }

  @Test
  @DisplayName("the wire form of a policy reads back the same")
  void policyRoundTrip() {
    PolicySpec d = PolicySpec.defaults();
    PolicySpec spec = new PolicySpec(d.interval(), d.timeout(), 4, new PolicySpec.Window(3, 5), 2, d.startupGrace(),
      false, d.startupDeadline(), d.budget(), d.backoff(), false);
    assertThat(PolicySpecJson.fromJson(PolicySpecJson.toJson(spec))).isEqualTo(spec);
    assertThat(PolicySpecJson.fromJson(PolicySpecJson.toJson(classic()))).isEqualTo(classic());
  }

  /** A table of steps: {@code at(t)} sets the time, the next call feeds an input, {@code expect...} checks. */
  private static final class Scenario {
    final CheckState state;
    final List<Decision> decisions = new ArrayList<>();
    Instant now = T0;
    Decision last = Decision.NONE;

    Scenario(PolicySpec spec) {
      this.state = new CheckState(spec);
    }

    Scenario at(int second) {
      now = T0.plusSeconds(second);
      return this;
    }

    Scenario up() {
      return record(state.onResult(now, true, FRESH));
    }

    Scenario down() {
      return record(state.onResult(now, false, FRESH));
    }

    Scenario downAged(Duration age) {
      return record(state.onResult(now, false, age));
    }

    Scenario started() {
      return record(state.onStarted(now));
    }

    Scenario stopped() {
      state.onStopped();
      return record(Decision.NONE);
    }

    Scenario actionDone() {
      return record(state.onActionFinished(now, true));
    }

    Scenario actionFailed() {
      return record(state.onActionFinished(now, false));
    }

    Scenario tick() {
      return record(state.onTick(now));
    }

    Scenario reset() {
      state.reset();
      return record(Decision.NONE);
    }

    Scenario expect(CheckPhase phase) {
      assertThat(state.phase()).as("phase at +%ss", seconds()).isEqualTo(phase);
      return this;
    }

    Scenario expectNothing() {
      assertThat(last).as("decision at +%ss", seconds()).isEqualTo(Decision.NONE);
      return this;
    }

    Scenario expectRestart() {
      assertThat(last.kind()).as("decision at +%ss (%s)", seconds(), state.reason()).isEqualTo(Decision.Kind.RESTART);
      assertThat(state.phase()).isEqualTo(ACTING);
      return this;
    }

    Scenario expectGiveUp() {
      assertThat(last.kind()).as("decision at +%ss", seconds()).isEqualTo(Decision.Kind.GIVE_UP);
      assertThat(state.phase()).isEqualTo(GAVE_UP);
      assertThat(state.reason()).contains("restart budget");
      return this;
    }

    long restarts() {
      return decisions.stream().filter(d -> d.kind() == Decision.Kind.RESTART).count();
    }

    long giveUps() {
      return decisions.stream().filter(d -> d.kind() == Decision.Kind.GIVE_UP).count();
    }

    private long seconds() {
      return Duration.between(T0, now).toSeconds();
    }

    private Scenario record(Decision decision) {
      last = decision;
      if (!decision.isNone()) {
        decisions.add(decision);
      }
      return this;
    }
  }
}
