package dev.kelpie.agent.config;

import dev.kelpie.agent.probe.HttpTarget;
import dev.kelpie.agent.probe.ProcessTarget;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.PolicySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AgentConfigTest {

  private static final String HEAD = """
    agent: {id: web-01}
    coordinator: {url: "ws://127.0.0.1:8420/bus", token: secret}
    """;

  private static AgentConfig load(String yaml) {
    return AgentConfig.fromYaml(HEAD + yaml, "agent.yaml", Map.of());
  }

  @Test
  @DisplayName("the example in config/ loads, with a process check added for its service")
  void exampleLoads() {
    AgentConfig config = AgentConfig.load(Path.of("../config/agent.yaml"), Map.of());
    assertThat(config.agentId()).isEqualTo("demo-host");
    assertThat(config.stateDir()).isEqualTo(Path.of("target/kelpie/agent"));
    assertThat(config.uplink().url()).isEqualTo(URI.create("ws://127.0.0.1:8420/bus"));
    assertThat(config.uplink().token()).isEqualTo("demo-agent-token");
    AgentConfig.ServiceSpec demo = config.services().get(0);
    assertThat(demo.name()).isEqualTo("demo");
    assertThat(demo.command()).containsSequence("-jar", "demo/target/kelpie-demo.jar", "--port", "8081");
    assertThat(demo.stopSignal()).isEqualTo("TERM");
    assertThat(config.checks()).extracting(AgentConfig.CheckConfig::id)
      .containsExactly("demo-http", "demo-port", "demo.process");
    assertThat(((HttpTarget) config.checks().get(0).target()).responseTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.checks().get(1).policy().restart()).isFalse();
    assertThat(config.checks().get(2).policy().budget().restarts()).isEqualTo(5);
  }

  @Test
  @DisplayName("a minimal file gets the documented defaults")
  void defaults() {
    AgentConfig config = load("""
      services: [{name: demo, command: [java, -jar, demo.jar]}]
      checks: [{id: web, type: http, service: demo, url: "http://127.0.0.1:8081/health"}]
      """);
    assertThat(config.stateDir()).isEqualTo(Path.of("state/web-01"));
    assertThat(config.uplink()).isEqualTo(new AgentConfig.Uplink(URI.create("ws://127.0.0.1:8420/bus"), "secret",
      Duration.ofMillis(500), Duration.ofSeconds(30), 10_000, Duration.ofSeconds(5), Duration.ofSeconds(5),
      Duration.ofSeconds(3)));
    AgentConfig.ServiceSpec service = config.services().get(0);
    assertThat(service).isEqualTo(new AgentConfig.ServiceSpec("demo", List.of("java", "-jar", "demo.jar"), null,
      Map.of(), "TERM", Duration.ofSeconds(10), null, null, true, Duration.ofSeconds(10), service.policy(),
      AgentConfig.Manager.KELPIE));
    AgentConfig.CheckConfig web = config.checks().get(0);
    assertThat(web.target()).isEqualTo(new HttpTarget(URI.create("http://127.0.0.1:8081/health"), "GET", 200,
      null, Duration.ofMillis(1500), Duration.ofSeconds(3)));
    PolicySpec d = PolicySpec.defaults();
    assertThat(web.policy()).isEqualTo(new PolicySpec(Duration.ofSeconds(3), Duration.ofSeconds(3),
      d.failureThreshold(), d.window(), d.successThreshold(), d.startupGrace(), d.waitForFirstHealthy(),
      d.startupDeadline(), d.budget(), d.backoff(), true));
  }

  @Test
  @DisplayName("every service gets a process check named <service>.process, with its restart budget and backoff")
  void implicitProcessChecks() {
    AgentConfig config = load("""
      defaults: {policy: {budget: {restarts: 2, per: 10m}}}
      services:
        - name: api
          command: [api]
          restart: {backoff: {initial: 2s, factor: 3, max: 1m, resetAfter: 5m}}
        - {name: worker, command: [worker], stopSignal: SIGINT}
        - {name: watched, command: [watched]}
      checks:
        - {id: watched-alive, type: process, service: watched, interval: 5s}
      """);
    assertThat(config.checks()).extracting(AgentConfig.CheckConfig::id)
      .containsExactly("watched-alive", "api.process", "worker.process");
    AgentConfig.CheckConfig api = config.checks().get(1);
    assertThat(api.type()).isEqualTo(CheckType.PROCESS);
    assertThat(api.service()).isEqualTo("api");
    assertThat(api.target()).isEqualTo(new ProcessTarget("api", null, null));
    assertThat(api.policy()).isEqualTo(new PolicySpec(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, null, 1,
      Duration.ZERO, false, Duration.ZERO, new PolicySpec.Budget(2, Duration.ofMinutes(10)),
      new PolicySpec.Backoff(Duration.ofSeconds(2), 3.0, Duration.ofMinutes(1), Duration.ofMinutes(5)), true));
    assertThat(config.checks().get(2).policy().backoff()).isEqualTo(PolicySpec.defaults().backoff());
    assertThat(config.services().get(1).stopSignal()).isEqualTo("INT");
  }

  @Test
  @DisplayName("a check without a service only reports, and is announced with a target people can read")
  void checkSpecs() {
    AgentConfig config = load("""
      checks:
        - {id: web, type: http, url: "http://127.0.0.1:8081/health", method: head}
        - {id: port, type: tcp, port: 5432}
        - {id: nginx, type: process, pattern: "nginx: master"}
      """);
    assertThat(config.checks()).allMatch(check -> !check.policy().restart());
    assertThat(config.checkSpecs()).extracting(CheckSpec::target)
      .containsExactly("HEAD http://127.0.0.1:8081/health", "tcp 127.0.0.1:5432", "command line /nginx: master/");
  }

  @Test
  @DisplayName("environment variables override identity and connection, and fill ${VAR:-default} anywhere")
  void environment() {
    AgentConfig config = AgentConfig.fromYaml("""
      agent: {stateDir: "${STATE:-/var/lib/kelpie}"}
      coordinator: {url: "ws://127.0.0.1:8420/bus", token: "${TOKEN:-fallback}"}
      services: [{name: demo, command: [demo, --port, "${PORT:-8081}"], port: "${PORT:-8081}"}]
      """, "agent.yaml", Map.of("KELPIE_AGENT_ID", "web-02", "KELPIE_COORDINATOR_URL", "wss://kelpie.example/bus",
      "PORT", "9090"));
    assertThat(config.agentId()).isEqualTo("web-02");
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/kelpie"));
    assertThat(config.uplink().url()).isEqualTo(URI.create("wss://kelpie.example/bus"));
    assertThat(config.uplink().token()).isEqualTo("fallback");
    assertThat(config.services().get(0).command()).containsExactly("demo", "--port", "9090");
    assertThat(config.services().get(0).port()).isEqualTo(9090);

    AgentConfig overridden = AgentConfig.fromYaml(HEAD, "agent.yaml",
      Map.of("KELPIE_AGENT_TOKEN", "from-env", "KELPIE_AGENT_STATE_DIR", "/tmp/kelpie"));
    assertThat(overridden.uplink().token()).isEqualTo("from-env");
    assertThat(overridden.stateDir()).isEqualTo(Path.of("/tmp/kelpie"));
  }
}
