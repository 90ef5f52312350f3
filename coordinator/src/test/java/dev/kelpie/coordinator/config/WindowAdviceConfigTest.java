package dev.kelpie.coordinator.config;

import dev.kelpie.coordinator.load.WindowAdvice;
import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowAdviceConfigTest {

  private static WindowAdvice.Settings read(String advice) {
    return CoordinatorConfig.fromYaml("gateway:\n  batchWindowAdvice: " + advice + "\n", "c.yaml", Map.of())
      .gateway().windowAdvice();
  }

  @Test
  @DisplayName("without gateway.batchWindowAdvice the coordinator advises from no advice up to 3 s, over a 20 ms lag")
  void defaults() {
    WindowAdvice.Settings advice = CoordinatorConfig.fromYaml("", "c.yaml", Map.of()).gateway().windowAdvice();
    assertThat(advice).isEqualTo(new WindowAdvice.Settings(Duration.ZERO, Duration.ofSeconds(3),
      Duration.ofMillis(20)));
    assertThat(advice.off()).isFalse();
  }

  @Test
  @DisplayName("its bounds and target are read; max 0ms turns the advice off")
  void read() {
    assertThat(read("{min: 1000ms, max: 2s, lagTarget: 50ms}")).isEqualTo(new WindowAdvice.Settings(
      Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(50)));
    assertThat(read("{max: 0ms}").off()).isTrue();
  }

  @Test
  @DisplayName("a bad value is refused with a message naming its key")
  void badValues() {
    assertThatThrownBy(() -> read("{max: 5s}")).isInstanceOf(ConfigException.class)
      .hasMessageContaining("gateway.batchWindowAdvice.max: must be at most 3000ms (agents take no longer advice), "
        + "got 5000ms");
    assertThatThrownBy(() -> read("{min: 2s, max: 1s}"))
      .hasMessageContaining("gateway.batchWindowAdvice.min: must not be more than max (1000ms), got 2000ms");
    assertThatThrownBy(() -> read("{lagTarget: 0ms}"))
      .hasMessageContaining("gateway.batchWindowAdvice.lagTarget: must be between 1ms and 10s, got 0ms");
    assertThatThrownBy(() -> read("{max: soon}"))
      .hasMessageContaining("gateway.batchWindowAdvice.max: ");
    assertThatThrownBy(() -> read("{maximum: 1s}"))
      .hasMessageContaining("gateway.batchWindowAdvice: unknown key 'maximum'");
    assertThatThrownBy(() -> read("1500ms"))
      .hasMessageContaining("gateway.batchWindowAdvice: expected a mapping");
  }
}
