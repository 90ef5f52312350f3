package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchWindowConfigTest {

  private static AgentConfig load(String coordinatorExtra) {
    return AgentConfig.fromYaml("agent: {id: web-01}\ncoordinator: {url: \"ws://127.0.0.1:8420/bus\", token: secret"
      + coordinatorExtra + "}\n", "agent.yaml", Map.of());
  }

  @Test
  @DisplayName("coordinator.batchWindow: 500ms when left out, 0ms turns it off, any duration up to 5s is taken")
  void taken() {
    assertThat(load("").uplink().batchWindow()).isEqualTo(Duration.ofMillis(500));
    assertThat(load(", batchWindow: 0ms").uplink().batchWindow()).isZero();
    assertThat(load(", batchWindow: 250ms").uplink().batchWindow()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  @DisplayName("a window too long or not a duration is refused, naming the key")
  void refused() {
    assertThatThrownBy(() -> load(", batchWindow: 10s")).isInstanceOf(ConfigException.class)
      .hasMessageContaining("coordinator.batchWindow: must be between 0ms and 5s, got 10000ms");
    assertThatThrownBy(() -> load(", batchWindow: soon")).isInstanceOf(ConfigException.class)
      .hasMessageContaining("coordinator.batchWindow: expected a duration like 500ms");
  }
}
