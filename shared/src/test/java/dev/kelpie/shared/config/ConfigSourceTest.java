package dev.kelpie.shared.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigSourceTest {

  private static ConfigSource source(String yaml, Map<String, String> env) {
    return ConfigSource.fromYaml(yaml, "test.yaml", env);
  }

  private static List<String> problems(ConfigSource source) {
    try {
      source.check();
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  @Test
  @DisplayName("YAML that does not parse is refused with the file, line and column")
  void syntaxError() {
    assertThatThrownBy(() -> source("a: 1\nb: [1, 2\nc: 3\n", Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("test.yaml: line 3, column 2: not valid YAML:");
  }

  @Test
  @DisplayName("a key written twice is refused, naming the key and its line")
  void duplicateKey() {
    assertThatThrownBy(() -> source("a: 1\nb: 2\na: 3\n", Map.of()))
      .hasMessage("test.yaml: line 3, column 1: not valid YAML: found duplicate key a");
  }

  @Test
  @DisplayName("a document that is not a mapping, and a missing file, are refused with the file name")
  void notAMappingOrMissing(@TempDir Path dir) {
    assertThatThrownBy(() -> source("- a\n- b\n", Map.of()))
      .hasMessage("test.yaml: expected a mapping (key: value lines) at the top level");
    Path missing = dir.resolve("agent.yaml");
    assertThatThrownBy(() -> ConfigSource.fromFile(missing, Map.of()))
      .hasMessage(missing + ": no such file (looked for " + missing.toAbsolutePath() + ")");
  }

  @Test
  @DisplayName("YAML tags that would build Java objects are refused")
  void noArbitraryTypes() {
    assertThatThrownBy(() -> source("a: !!java.io.File [/tmp]\n", Map.of()))
      .hasMessageStartingWith("test.yaml: line 1, column 4: not valid YAML:");
  }

  @Test
  @DisplayName("placeholders are filled in every string, and an unset one is reported at its path")
  void placeholders(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("c.yaml"), "a: {b: [x, '${NOPE}'], c: '${HOST:-localhost}'}\n");
    ConfigSource source = ConfigSource.fromFile(file, Map.of());
    ConfigNode a = source.root().child("a");
    assertThat(a.optionalStringList("b", "[x]")).containsExactly("x", "");
    assertThat(a.optionalString("c", null)).isEqualTo("localhost");
    assertThat(problems(source)).containsExactly(file + ": a.b[1]: environment variable NOPE is not set "
      + "(write ${NOPE:-default} to give a default)");
  }

  @Test
  @DisplayName("keys nobody reads are unknown, at the top and nested; every problem is kept, not only the first")
  void unknownKeys() {
    ConfigSource source = source("intrval: 3s\nchecks: [{id: a, tiemout: 1s, interval: 3}]\n", Map.of());
    ConfigNode root = source.root();
    root.list("checks", node -> {
      node.string("id", "an id");
      return node.optionalDuration("interval", Duration.ofSeconds(3));
    });
    root.section("agent");
    root.finish();
    assertThat(problems(source)).containsExactly(
      "test.yaml: checks[0].interval: expected a duration like 500ms, 5s, 2m or 1h, got 3",
      "test.yaml: checks[0]: unknown key 'tiemout'",
      "test.yaml: agent: missing section",
      "test.yaml: unknown key 'intrval'");
  }

  @Test
  @DisplayName("a key with no value reads as absent: a required one is missing")
  void emptyValue() {
    ConfigSource source = source("id:\nport: '8081'\n", Map.of());
    assertThat(source.root().id("id")).isNull();
    assertThat(source.root().optionalInt("port", null, 1, 65535)).isEqualTo(8081);
    assertThat(problems(source)).containsExactly(
      "test.yaml: id: missing; expected a name of letters, digits, '.', '_' or '-'");
  }
}
