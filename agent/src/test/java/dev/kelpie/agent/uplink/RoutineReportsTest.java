package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.policy.PolicySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RoutineReportsTest {

  private static ProbeResult up(String check) {
    return ProbeResult.up("a", check, Instant.EPOCH, Duration.ZERO, "ok");
  }

  private static ProbeResult down(String check) {
    return ProbeResult.down("a", check, Instant.EPOCH, Duration.ZERO, "no");
  }

  private static CheckSpec check(String id, int successThreshold) {
    PolicySpec d = PolicySpec.defaults();
    return new CheckSpec(id, CheckType.HTTP, "svc", "http://x", new PolicySpec(d.interval(), d.timeout(),
      d.failureThreshold(), d.window(), successThreshold, d.startupGrace(), d.waitForFirstHealthy(),
      d.startupDeadline(), d.budget(), d.backoff(), d.restart()), Map.of());
  }

  @Test
  @DisplayName("a check's first result matters; UP after UP is routine; a DOWN and the UP after it matter")
  void outcomes() {
    RoutineReports routine = new RoutineReports(List.of());
    assertThat(routine.routine(up("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isTrue();
    assertThat(routine.routine(down("web"))).isFalse();
    assertThat(routine.routine(down("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isTrue();
    assertThat(routine.routine(up("db"))).isFalse();
  }

  @Test
  @DisplayName("a check that needs three UPs to count healthy again: each of those three matters, the fourth is routine")
  void successThreshold() {
    RoutineReports routine = new RoutineReports(List.of(check("web", 3)));
    routine.routine(down("web"));
    assertThat(routine.routine(up("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isTrue();
  }

  @Test
  @DisplayName("a process event matters, and so does the next result of every check after it")
  void processEvent() {
    RoutineReports routine = new RoutineReports(List.of());
    routine.routine(up("web"));
    assertThat(routine.routine(up("web"))).isTrue();
    assertThat(routine.routine(ProcessEvent.of("a", "svc", Instant.EPOCH, ProcessEventType.STARTED, 42L, null, "started")))
      .isFalse();
    assertThat(routine.routine(up("web"))).isFalse();
    assertThat(routine.routine(up("web"))).isTrue();
  }
}
