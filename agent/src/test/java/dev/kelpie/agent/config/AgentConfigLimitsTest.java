package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's config is held to the rules the coordinator holds its messages to (shared {@code AgentRules} and
 * {@code Limits}), so an agent that starts is never refused for what it announces.
 */
class AgentConfigLimitsTest {

  private static final String HEAD = """
    agent: {id: web-01}
    coordinator: {url: "ws://127.0.0.1:8420/bus", token: secret}
    """;

  private static String refusal(String yaml) {
    try {
      AgentConfig.fromYaml(HEAD + yaml, "agent.yaml", Map.of());
    } catch (ConfigException e) {
      return String.join("\n", e.problems());
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    interval over a year   | checks: [{id: a, type: tcp, port: 1, interval: 9000h}]                          | agent.yaml: checks[0].interval: must be at most 365 days, got PT9000H
    grace over a year      | checks: [{id: a, type: tcp, port: 1, policy: {startupGrace: 9000h, startupDeadline: 9001h}}] | agent.yaml: checks[0].policy.startupGrace: must be at most 365 days, got PT9000H
    budget over a year     | services: [{name: demo, command: [x], restart: {budget: {per: 9000h}}}]          | agent.yaml: services[0].restart.budget.per: must be at most 365 days, got PT9000H
    window.of cap          | checks: [{id: a, type: tcp, port: 1, policy: {window: {failures: 3, of: 40000000}}}] | agent.yaml: checks[0].policy.window.of: must be between 0 and 10000, got 40000000
    """)
  void refused(String what, String yaml, String expected) {
    assertThat(refusal(yaml.replace("\\n", "\n"))).contains(expected);
  }

  @Test
  @DisplayName("a service's name leaves room for its process check's id")
  void serviceName() {
    String name = "s".repeat(60);
    assertThat(refusal("services: [{name: " + name + ", command: [x]}]\n")).contains("agent.yaml: services[0].name: "
      + "too long for its process check's id, " + name + ".process (expected 1 to 64 letters");
  }

  @Test
  @DisplayName("at most 1000 checks and 64 labels a check")
  void counts() {
    String checks = IntStream.range(0, 1001).mapToObj(i -> "  - {id: c" + i + ", type: tcp, port: 1}")
      .collect(Collectors.joining("\n", "checks:\n", "\n"));
    assertThat(refusal(checks)).contains("agent.yaml: checks: at most 1000 checks per agent");
    String labels = IntStream.range(0, 65).mapToObj(i -> "k" + i + ": v").collect(Collectors.joining(", "));
    assertThat(refusal("checks: [{id: a, type: tcp, port: 1, labels: {" + labels + "}}]\n"))
      .contains("agent.yaml: checks[0].labels: at most 64 labels, got 65");
  }
}
