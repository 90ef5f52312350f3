package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.PolicySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A check's last results, kept as numbers, come back as the results that were taken. */
class TrackedCheckTest {

  @Test
  @DisplayName("the last five results come back equal to those taken, oldest first; a repeated detail is kept once")
  void compactRing() {
    TrackedCheck check = new TrackedCheck(new CheckSpec("web", CheckType.HTTP, null, "http://x/",
      PolicySpec.defaults()));
    assertThat(check.lastResult()).isNull();
    assertThat(check.lastUp()).isNull();
    assertThat(check.recentResults()).isEmpty();
    List<ProbeResult> taken = new ArrayList<>();
    Instant start = Instant.parse("2026-12-01T10:00:00.123456789Z");
    for (int i = 1; i <= 8; i++) {
      ProbeResult result = new ProbeResult("host-1", i, "web", start.plusMillis(i * 1000L),
        i % 3 == 0 ? Outcome.DOWN : Outcome.UP, Duration.ofNanos(1_500_000L * i), i < 7 ? new String("ok") : "slow");
      check.seen(result);
      taken.add(result);
      assertThat(check.lastResult()).isEqualTo(result);
      assertThat(check.lastUp()).isEqualTo(result.up());
    }
    assertThat(check.recentResults()).containsExactlyElementsOf(taken.subList(3, 8));
    List<ProbeResult> recent = check.recentResults();
    assertThat(recent.get(0).detail()).isSameAs(recent.get(1).detail());
  }
}
