package dev.kelpie.shared.config;

import dev.kelpie.shared.policy.PolicySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyReaderTest {

  private static final Duration INTERVAL = Duration.ofSeconds(3);
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private static List<String> problems(String yaml, Duration interval) {
    ConfigSource source = ConfigSource.fromYaml(yaml, "p.yaml", Map.of());
    PolicyReader.read(source.root(), "policy", PolicySpec.defaults(), interval, TIMEOUT);
    try {
      source.check();
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  @Test
  @DisplayName("keys given override the defaults; the rest, and the check's interval and timeout, are kept")
  void overrides() {
    ConfigSource source = ConfigSource.fromYaml("""
      policy:
        failureThreshold: 5
        window: {failures: 2, of: 4}
        budget: {per: 30m}
        backoff: {factor: 1.5}
        restart: false
      """, "p.yaml", Map.of());
    PolicySpec spec = PolicyReader.read(source.root(), "policy", PolicySpec.defaults(), Duration.ofSeconds(7), TIMEOUT);
    PolicySpec d = PolicySpec.defaults();
    assertThat(spec).isEqualTo(new PolicySpec(Duration.ofSeconds(7), TIMEOUT, 5, new PolicySpec.Window(2, 4),
      d.successThreshold(), d.startupGrace(), d.waitForFirstHealthy(), d.startupDeadline(),
      new PolicySpec.Budget(d.budget().restarts(), Duration.ofMinutes(30)),
      new PolicySpec.Backoff(d.backoff().initial(), 1.5, d.backoff().max(), d.backoff().resetAfter()), false));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    window failures over of  | policy: {window: {failures: 7, of: 5}}         | p.yaml: policy.window.failures: must be between 1 and window.of (5), got 7
    window half given        | policy: {window: {failures: 3}}                | p.yaml: policy.window: needs both failures and of, as in {failures: 3, of: 5}
    threshold zero           | policy: {failureThreshold: 0}                  | p.yaml: policy.failureThreshold: must be at least 1, got 0
    deadline before grace    | policy: {startupGrace: 1m, startupDeadline: 5s} | p.yaml: policy.startupDeadline: must not be shorter than startupGrace (PT1M)
    budget per zero          | policy: {budget: {per: 0s}}                    | p.yaml: policy.budget.per: must be longer than zero, got PT0S
    backoff max under initial | policy: {backoff: {initial: 5s, max: 1s}}     | p.yaml: policy.backoff.max: must not be shorter than backoff.initial (PT5S)
    unknown nested key       | policy: {budget: {restart: 3}}                 | p.yaml: policy.budget: unknown key 'restart'
    not a number             | policy: {successThreshold: many}               | p.yaml: policy.successThreshold: expected a whole number between 0 and 10000, got "many"
    """)
  @DisplayName("impossible knobs are reported at the path of the key that sets them")
  void refused(String what, String yaml, String problem) {
    assertThat(problems(yaml, INTERVAL)).contains(problem);
  }

  @Test
  @DisplayName("interval and timeout are the check's keys, so their problems are reported there")
  void timingAtTheCheck() {
    assertThat(problems("{}", Duration.ZERO)).containsExactly("p.yaml: interval: must be longer than zero, got PT0S");
  }

  @Test
  @DisplayName("a problem inherited from the defaults is reported once, where the defaults are written")
  void inheritedOnce() {
    ConfigSource source = ConfigSource.fromYaml("""
      defaults: {policy: {failureThreshold: 0}}
      check: {policy: {restart: false}}
      fixed: {policy: {failureThreshold: 2}}
      """, "p.yaml", Map.of());
    PolicySpec defaults = PolicyReader.read(source.root().child("defaults"), "policy", PolicySpec.defaults(),
      INTERVAL, TIMEOUT);
    assertThat(PolicyReader.read(source.root().child("check"), "policy", defaults, INTERVAL, TIMEOUT)
      .failureThreshold()).isZero();
    assertThat(PolicyReader.read(source.root().child("fixed"), "policy", defaults, INTERVAL, TIMEOUT)
      .failureThreshold()).isEqualTo(2);
    assertThatThrownBy(source::check).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
      .containsExactly("p.yaml: defaults.policy.failureThreshold: must be at least 1, got 0"));
  }
}
