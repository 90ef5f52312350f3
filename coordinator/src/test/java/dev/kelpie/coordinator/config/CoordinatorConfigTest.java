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
  @DisplayName("a file with only agents gets the documented defaults")
  void defaults() {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("agents: [{id: a, token: t}]\n", "c.yaml", Map.of());
    assertThat(config.http()).isEqualTo(new CoordinatorConfig.Http("127.0.0.1", 8420));
    assertThat(config.gateway()).isEqualTo(new CoordinatorConfig.Gateway(1_048_576, Duration.ofSeconds(15)));
    assertThat(config.commands()).isEqualTo(new CoordinatorConfig.Commands(Duration.ofSeconds(30),
      Duration.ofSeconds(60)));
    assertThat(config.store().postgres()).isFalse();
  }

  @Test
  @DisplayName("the rules: section is read, a rule may be in shadow mode, and a wrong value is named")
  void rules() {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("""
        rules:
          inFlight: 5
          groups: [{label: role=web, maxPercent: 10}, {label: zone, max: 2, mode: shadow}]
          correlated: {hosts: 5, percent: 50, window: 2m}
          flapping: {restarts: 3, window: 10m, backoff: 1m}
        """, "c.yaml", Map.of());
    RulesSettings rules = config.rules();
    assertThat(rules.inFlight()).isEqualTo(new RulesSettings.InFlight(5, false));
    assertThat(rules.groups()).containsExactly(new RulesSettings.Group("role", "web", 0, 10, false),
      new RulesSettings.Group("zone", null, 2, 0, true));
    assertThat(rules.correlated()).isEqualTo(new RulesSettings.Correlated(5, 50, Duration.ofMinutes(2), false));
    assertThat(rules.flapping()).isEqualTo(new RulesSettings.Flapping(3, Duration.ofMinutes(10),
      Duration.ofMinutes(1), false));
    assertThat(CoordinatorConfig.fromYaml("", "c.yaml", Map.of()).rules()).isEqualTo(RulesSettings.NONE);
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("""
        rules:
          mode: dry
          groups: [{label: role}]
          correlated: {window: 0s}
        """, "c.yaml", Map.of()))
      .hasMessageContaining("rules.mode: expected enforce or shadow, got \"dry\"")
      .hasMessageContaining("rules.groups[0].max: expected max or maxPercent above zero")
      .hasMessageContaining("rules.correlated.hosts: expected hosts or percent above zero");
  }

  @Test
  @DisplayName("a credential matches its own token only, whether written plain or as its SHA-256")
  void credentialsMatch() {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("""
        agents:
          - {id: a, token: "${A_TOKEN}"}
          - {id: b, tokenSha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8}
        gateway: {maxFrameBytes: 64KB}
        """, "c.yaml", Map.of("A_TOKEN", "alpha"));
    CoordinatorConfig.AgentCredential a = config.agents().get(0);
    CoordinatorConfig.AgentCredential b = config.agents().get(1);
    assertThat(a.matches("alpha")).isTrue();
    assertThat(a.matches("alpha ")).isFalse();
    assertThat(a.matches(null)).isFalse();
    assertThat(b.matches("password")).isTrue();
    assertThat(b.matches("alpha")).isFalse();
    assertThat(b.matches("")).isFalse();
    assertThat(config.gateway().maxFrameBytes()).isEqualTo(65_536);
  }

  @Test
  @DisplayName("KELPIE_HTTP_HOST and KELPIE_HTTP_PORT override the file")
  void environment() {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("http: {port: 1}\n", "c.yaml",
      Map.of("KELPIE_HTTP_HOST", "0.0.0.0", "KELPIE_HTTP_PORT", "9000"));
    assertThat(config.http()).isEqualTo(new CoordinatorConfig.Http("0.0.0.0", 9000));
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("", "c.yaml", Map.of("KELPIE_HTTP_PORT", "http")))
      .hasMessage("c.yaml: http.port: KELPIE_HTTP_PORT must be a port number, got \"http\"");
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("", "c.yaml", Map.of("KELPIE_HTTP_PORT", "70000")))
      .hasMessage("c.yaml: http.port: KELPIE_HTTP_PORT must be between 0 and 65535, got 70000");
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
          - {token: y}
        gateway: {pingTimeout: soon, maxFrameBytes: 1 MB}
        commands: {ttl: 30}
        store: {postgres: {url: "mysql://kelpie:hunter2@db/kelpie", schema: Kelpie}, retention: {successes: forever}}
        dashboard: {}
        """, "c.yaml", Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("c.yaml: http.port: must be between 0 and 65535, got 99999")
      .hasMessageContaining("c.yaml: agents[0]: needs exactly one of token, tokenSha256")
      .hasMessageContaining("c.yaml: agents[1].tokenSha256: expected 64 lowercase hex digits (the output of sha256sum "
        + "for the token), got 3 characters")
      .hasMessageContaining("c.yaml: agents[1].id: duplicate agent id 'a'")
      .hasMessageContaining("c.yaml: agents[2]: needs exactly one of token, tokenSha256")
      .hasMessageContaining("c.yaml: agents[3].id: missing; expected a name of letters, digits, '.', '_' or '-'")
      .hasMessageContaining("c.yaml: gateway.pingTimeout: expected a duration like 500ms, 5s, 2m or 1h, got \"soon\"")
      .hasMessageContaining("c.yaml: gateway.maxFrameBytes: expected a size in bytes like 65536, 64KB or 1MB, got \"1 MB\"")
      .hasMessageContaining("c.yaml: commands.ttl: expected a duration like 500ms, 5s, 2m or 1h, got 30")
      .hasMessageContaining("c.yaml: store.postgres.url: expected a URL like postgresql://user:password@host:5432/database, "
        + "got \"mysql://kelpie:***@db/kelpie\"")
      .hasMessageContaining("c.yaml: store.postgres.schema: expected a lowercase SQL name, got \"Kelpie\"")
      .hasMessageContaining("c.yaml: store.retention.successes: expected a duration")
      .hasMessageContaining("c.yaml: unknown key 'dashboard'")
      .hasMessageNotContaining("hunter2");
  }

  @Test
  @DisplayName("YAML that does not parse names the file and line; a missing file names the file")
  void unreadable() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("http: {port: 1\nagents: []\n", "c.yaml", Map.of()))
      .isInstanceOf(ConfigException.class).hasMessageMatching("c\\.yaml: line \\d+, column \\d+: not valid YAML: .*");
    assertThatThrownBy(() -> CoordinatorConfig.load(Path.of("no/such/coordinator.yaml"), Map.of()))
      .hasMessageStartingWith("no/such/coordinator.yaml: no such file (looked for /");
  }
}
