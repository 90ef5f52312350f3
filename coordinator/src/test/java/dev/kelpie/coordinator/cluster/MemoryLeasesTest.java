package dev.kelpie.coordinator.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryLeasesTest {

  private final MemoryLeases leases = new MemoryLeases("solo", Duration.ofSeconds(10), Clock.systemUTC());

  @Test
  @DisplayName("alone, a node is always granted an agent, each time with a higher epoch; only the newest renews")
  void alwaysGranted() {
    Lease first = leases.acquire("web-1").await().orElseThrow();
    Lease second = leases.acquire("web-1").await().orElseThrow();

    assertThat(second.epoch()).isGreaterThan(first.epoch());
    assertThat(leases.renew(first).await()).isEmpty();
    assertThat(leases.renew(second).await()).isPresent();
    assertThat(leases.release(first).await()).isFalse();
    assertThat(leases.release(second).await()).isTrue();
    assertThat(leases.holder("web-1").await()).isEmpty();
    assertThat(leases.acquire("web-1").await().orElseThrow().epoch()).isGreaterThan(second.epoch());
  }
}
