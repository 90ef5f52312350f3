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

  @Test
  @DisplayName("equal checks announced by different agents share one policy, one set of labels and one copy of each name")
  void equalSpecsShared() {
    CheckSpec announced = new CheckSpec("web", CheckType.HTTP, "shop", "http://x/", PolicySpec.defaults(),
      java.util.Map.of("role", "front"));
    TrackedCheck first = new TrackedCheck(CheckSpec.fromJson(new io.vertx.core.json.JsonObject(announced.toJson().encode())));
    TrackedCheck second = new TrackedCheck(CheckSpec.fromJson(new io.vertx.core.json.JsonObject(announced.toJson().encode())));
    assertThat(second.spec()).isEqualTo(announced);
    assertThat(second.spec().policy()).isSameAs(first.spec().policy());
    assertThat(second.spec().labels()).isSameAs(first.spec().labels());
    assertThat(second.spec().type()).isSameAs(first.spec().type());
    assertThat(second.id()).isSameAs(first.id());
    assertThat(second.service()).isSameAs(first.service());

    first.seen(new ProbeResult(new String("host-1"), 1, "web", Instant.now(), Outcome.UP, Duration.ZERO, new String("ok")));
    second.seen(new ProbeResult(new String("host-2"), 1, "web", Instant.now(), Outcome.UP, Duration.ZERO, new String("ok")));
    assertThat(second.lastResult().detail()).isSameAs(first.lastResult().detail());
  }

  @Test
  @DisplayName("a policy no check holds any more is forgotten by the shared table, however many came and went")
  void sharedPartsForgotten() {
    java.lang.ref.WeakReference<Object> gone = announceAndDrop();
    for (int i = 0; i < 100 && gone.get() != null; i++) {
      System.gc();   // the only way to see a weak table let go; the loop ends as soon as it has
    }
    assertThat(gone.get()).as("the labels of checks no longer tracked").isNull();
  }

  /** 5,000 checks, each with labels of its own, dropped at once; the labels of the first one, weakly. */
  private static java.lang.ref.WeakReference<Object> announceAndDrop() {
    java.lang.ref.WeakReference<Object> first = null;
    for (int i = 0; i < 5000; i++) {
      TrackedCheck check = new TrackedCheck(new CheckSpec("web", CheckType.HTTP, "shop", "http://x/",
        PolicySpec.defaults(), java.util.Map.of("unique", "value-" + i)));
      if (first == null) {
        first = new java.lang.ref.WeakReference<>(check.spec().labels());
      }
    }
    return first;
  }
}
