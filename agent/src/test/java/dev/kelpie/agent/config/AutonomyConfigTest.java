package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AutonomyConfigTest {

  private static AgentConfig load(String yaml) {
    return AgentConfig.fromYaml("agent: {id: web-01}\n" + yaml, "agent.yaml", Map.of());
  }

  @Test
  @DisplayName("autonomy is on unless the file says off")
  void autonomy() {
    assertThat(load("coordinator: {url: \"ws://a:8420/bus\", token: t}\n").autonomy()).isTrue();
    assertThat(load("coordinator: {url: \"ws://a:8420/bus\", token: t}\nautonomy: off\n").autonomy()).isFalse();
    assertThatThrownBy(() -> load("coordinator: {url: \"ws://a:8420/bus\", token: t}\nautonomy: sometimes\n"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("autonomy");
  }

  @Test
  @DisplayName("url first, then the standbys of urls, in order and without repeats; urls alone is enough")
  void urls() {
    AgentConfig both = load("coordinator: {url: \"ws://a:8420/bus\", urls: [\"ws://b:8420/bus\", \"ws://a:8420/bus\"],"
      + " token: t}\n");
    assertThat(both.uplink().url()).isEqualTo(URI.create("ws://a:8420/bus"));
    assertThat(both.uplink().urls()).containsExactly(URI.create("ws://a:8420/bus"), URI.create("ws://b:8420/bus"));
    AgentConfig list = load("coordinator: {urls: [\"ws://b:8420/bus\", \"ws://c:8420/bus\"], token: t}\n");
    assertThat(list.uplink().url()).isEqualTo(URI.create("ws://b:8420/bus"));
    assertThat(list.uplink().urls()).hasSize(2);
    assertThatThrownBy(() -> load("coordinator: {urls: [\"http://b:8420/bus\"], token: t}\n"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("urls");
  }
}
