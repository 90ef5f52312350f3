package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoordinatorConfigTest {

  @Test
  @DisplayName("the examples in config/ load, the compose one with its tokens from the environment")
  void examplesLoad() {
    CoordinatorConfig demo = CoordinatorConfig.load(Path.of("../config/coordinator.yaml"), Map.of());
    assertThat(demo.http()).isEqualTo(new CoordinatorConfig.Http("127.0.0.1", 8420));
    assertThat(demo.agents()).extracting(CoordinatorConfig.AgentCredential::id).containsExactly("demo-host");
    assertThat(demo.agents().get(0).token()).isEqualTo("demo-agent-token");
    assertThat(demo.commands().ttl()).isEqualTo(Duration.ofSeconds(30));

    CoordinatorConfig compose = CoordinatorConfig.load(Path.of("../config/compose/coordinator.yaml"),
      Map.of("AGENT_A_TOKEN", "a", "AGENT_B_TOKEN", "b"));
    assertThat(compose.agents()).extracting(CoordinatorConfig.AgentCredential::token).containsExactly("a", "b");
    assertThatThrownBy(() -> CoordinatorConfig.load(Path.of("../config/compose/coordinator.yaml"), Map.of()))
      .hasMessageContaining("agents[0].token: environment variable AGENT_A_TOKEN is not set");
  }

  @Test
  @DisplayName("KELPIE_HTTP_HOST and KELPIE_HTTP_PORT override the file")
  void environment() {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("http: {port: 1}\n", "c.yaml",
      Map.of("KELPIE_HTTP_HOST", "0.0.0.0", "KELPIE_HTTP_PORT", "9000"));
    assertThat(config.http()).isEqualTo(new CoordinatorConfig.Http("0.0.0.0", 9000));
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("", "c.yaml", Map.of("KELPIE_HTTP_PORT", "http")))
      .hasMessage("c.yaml: http.port: KELPIE_HTTP_PORT must be a port number, got \"http\"");
  }

  @Test
  @DisplayName("bad credentials and unknown keys are refused, all at once, naming file and path")
  void refused() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("""
        http: {port: 99999}
        agents:
          - {id: a, token: x, tokenSha256: abc}
          - {id: a, tokenSha256: ABC}
          - {id: b}
        gateway: {pingTimeout: soon}
        store: {postgres: {url: "mysql://db/kelpie", schema: Kelpie}, retention: {successes: forever}}
        dashboard: {}
        """, "c.yaml", Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("c.yaml: http.port: must be between 0 and 65535, got 99999")
      .hasMessageContaining("c.yaml: agents[0]: needs exactly one of token, tokenSha256")
      .hasMessageContaining("c.yaml: agents[1].tokenSha256: expected 64 lowercase hex digits")
      .hasMessageContaining("c.yaml: agents[1].id: duplicate agent id 'a'")
      .hasMessageContaining("c.yaml: agents[2]: needs exactly one of token, tokenSha256")
      .hasMessageContaining("c.yaml: gateway.pingTimeout: expected a duration like 500ms, 5s, 2m, 1h or 1d, got \"soon\"")
      .hasMessageContaining("c.yaml: store.postgres.url: expected a URL like postgresql://user:password@host:5432/database")
      .hasMessageContaining("c.yaml: store.postgres.schema: expected a lowercase SQL name, got \"Kelpie\"")
      .hasMessageContaining("c.yaml: store.retention.successes: expected a duration")
      .hasMessageContaining("c.yaml: unknown key 'dashboard'");
  }
}
