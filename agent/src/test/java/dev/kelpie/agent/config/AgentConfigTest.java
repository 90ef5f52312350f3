package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.message.CheckType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgentConfigTest {

  private static final String HEAD = """
    agent: {id: web-01}
    coordinator: {url: "ws://127.0.0.1:8420/bus", token: secret}
    """;

  private static final String SERVICE = """
    services:
      - name: demo
        command: [java, -jar, demo.jar]
    """;

  private static AgentConfig load(String yaml) {
    return AgentConfig.fromYaml(yaml, "agent.yaml", Map.of());
  }

  private static String problems(String yaml) {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @Test
  @DisplayName("the example in config/ loads, with a process check added for its service")
  void exampleLoads() {
    AgentConfig config = AgentConfig.load(Path.of("../config/agent.yaml"), Map.of());
    assertThat(config.agentId()).isEqualTo("demo-host");
    assertThat(config.services()).extracting(AgentConfig.ServiceSpec::name).containsExactly("demo");
    assertThat(config.checks()).extracting(AgentConfig.CheckConfig::id)
      .containsExactly("demo-http", "demo-port", "demo.process");
    AgentConfig.CheckConfig process = config.checks().get(2);
    assertThat(process.type()).isEqualTo(CheckType.PROCESS);
    assertThat(process.policy().failureThreshold()).isEqualTo(1);
    assertThat(process.policy().budget().restarts()).isEqualTo(5);
    assertThat(config.checks().get(0).http().responseTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.checks().get(1).policy().restart()).isFalse();
  }

  @Test
  @DisplayName("environment variables override the connection settings and fill ${VAR:-default}")
  void environment() {
    AgentConfig config = AgentConfig.fromYaml("""
      agent: {id: web-01}
      coordinator: {url: "ws://127.0.0.1:8420/bus", token: "${TOKEN:-fallback}"}
      """, "agent.yaml", Map.of("KELPIE_AGENT_ID", "web-02", "KELPIE_COORDINATOR_URL", "wss://kelpie.example/bus"));
    assertThat(config.agentId()).isEqualTo("web-02");
    assertThat(config.uplink().url().toString()).isEqualTo("wss://kelpie.example/bus");
    assertThat(config.uplink().token()).isEqualTo("fallback");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    unknown top-level key        | intrval: 3s                                                               | agent.yaml: unknown key 'intrval'
    unknown nested key           | checks: [{id: a, type: tcp, port: 1, intrval: 3s}]                        | agent.yaml: checks[0]: unknown key 'intrval'
    missing command              | services: [{name: demo}]                                                  | agent.yaml: services[0].command: missing; expected the program and its arguments as a list
    command as a string          | services: [{name: demo, command: 'java -jar x.jar'}]                      | agent.yaml: services[0].command: expected a list of strings like [prog, arg1, arg2] (no shell is used), got "java -jar x.jar"
    bad duration                 | services: [{name: demo, command: [x], stopGrace: 5 seconds}]              | agent.yaml: services[0].stopGrace: expected a duration like 500ms, 5s, 2m, 1h or 1d, got "5 seconds"
    duration without unit        | checks: [{id: a, type: tcp, port: 1, interval: 3}]                        | agent.yaml: checks[0].interval: expected a duration like 500ms, 5s, 2m, 1h or 1d, got 3
    window failures over n       | checks: [{id: a, type: tcp, port: 1, policy: {window: {failures: 7, of: 5}}}] | agent.yaml: checks[0].policy.window.failures: must be between 1 and window.of (5), got 7
    zero threshold               | checks: [{id: a, type: tcp, port: 1, policy: {failureThreshold: 0}}]      | agent.yaml: checks[0].policy.failureThreshold: must be at least 1, got 0
    unknown service              | checks: [{id: a, type: tcp, port: 1, service: dmeo}]                      | agent.yaml: checks[0].service: no service named 'dmeo'
    unknown check type           | checks: [{id: a, type: icmp}]                                             | agent.yaml: checks[0].type: expected http, tcp or process, got "icmp"
    url scheme                   | checks: [{id: a, type: http, url: 'ftp://x/health'}]                      | agent.yaml: checks[0].url: expected a URL starting with http:// or https://
    bad signal                   | services: [{name: demo, command: [x], stopSignal: STOPP}]                 | agent.yaml: services[0].stopSignal: expected one of
    bad regex                    | services: [{name: demo, command: [x], adopt: {pattern: '(['}}]            | agent.yaml: services[0].adopt.pattern: not a valid regular expression
    port out of range            | checks: [{id: a, type: tcp, port: 70000}]                                 | agent.yaml: checks[0].port: must be between 1 and 65535, got 70000
    unset variable               | checks: [{id: a, type: http, url: '${NOPE}'}]                             | agent.yaml: checks[0].url: environment variable NOPE is not set
    """)
  @DisplayName("bad input is refused with the file, the path inside it and what is expected")
  void refused(String what, String yaml, String message) {
    assertThat(problems(HEAD + yaml.replace("\\n", "\n"))).contains(message);
  }

  @Test
  @DisplayName("duplicate ids are refused")
  void duplicates() {
    assertThat(problems(HEAD + SERVICE + SERVICE.replace("services:\n", "")
      + "checks: [{id: a, type: tcp, port: 1}, {id: a, type: tcp, port: 2}]\n"))
      .contains("agent.yaml: services[1].name: duplicate service name 'demo'")
      .contains("agent.yaml: checks[1].id: duplicate check id 'a'");
  }

  @Test
  @DisplayName("every problem is reported at once, not only the first")
  void allProblems() {
    assertThat(problems("coordinator: {url: 'http://x'}\nservices: [{name: demo}]\n").split("\n"))
      .contains("agent.yaml: agent: missing section",
        "agent.yaml: coordinator.token: missing; expected this agent's token (or set KELPIE_AGENT_TOKEN)")
      .anyMatch(line -> line.startsWith("agent.yaml: coordinator.url: expected a URL starting with ws:// or wss://"))
      .anyMatch(line -> line.startsWith("agent.yaml: services[0].command: missing"));
  }

  @Test
  @DisplayName("YAML that does not parse names the file and line; a missing file names the file")
  void unreadable() {
    assertThatThrownBy(() -> load(HEAD + "checks: [\n  {id: a\n")).isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("agent.yaml:").hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> load(HEAD + "agent: {id: b}\n")).hasMessageContaining("duplicate key agent");
    assertThatThrownBy(() -> AgentConfig.load(Path.of("no/such/agent.yaml"), Map.of()))
      .hasMessage("no/such/agent.yaml: no such file");
  }
}
