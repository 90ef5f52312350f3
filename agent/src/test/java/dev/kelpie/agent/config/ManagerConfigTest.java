package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ManagerConfigTest {

  private static final String HEAD = """
    agent: {id: web-01}
    coordinator: {url: "ws://127.0.0.1:8420/bus", token: secret}
    """;

  private static AgentConfig load(String yaml) {
    return AgentConfig.fromYaml(HEAD + yaml, "agent.yaml", Map.of());
  }

  private static List<String> problems(String yaml) {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be refused");
  }

  @Test
  @DisplayName("each manager is read with its own keys; without one, Kelpie spawns the service itself")
  void managersRead() {
    AgentConfig config = load("""
      services:
        - {name: spawned, command: [app]}
        - {name: api, port: 8080, manager: {type: systemd, unit: api.service}}
        - {name: mine, manager: {type: systemd, unit: mine.service, user: true, timeout: 5s}}
        - {name: worker, manager: {type: supervisord, program: "jobs:worker", socket: /run/supervisor.sock}}
        - name: web
          manager: {type: supervisord, program: web, url: "http://127.0.0.1:9001", username: kelpie, password: pw}
        - {name: cache, manager: {type: docker, container: cache, host: "unix:///run/docker.sock"}}
        - {name: plain, manager: {type: kelpie}, command: [plain]}
      """);
    List<AgentConfig.ServiceSpec> services = config.services();
    assertThat(services.get(0).manager()).isEqualTo(AgentConfig.Manager.KELPIE);
    assertThat(services.get(0).managedElsewhere()).isFalse();
    assertThat(services.get(1).manager()).isEqualTo(new AgentConfig.Manager(AgentConfig.Manager.Type.SYSTEMD,
      "api.service", null, null, null, null, null, false, Duration.ofSeconds(30)));
    assertThat(services.get(1).command()).isEmpty();
    assertThat(services.get(1).port()).isEqualTo(8080);
    assertThat(services.get(2).manager().target()).isEqualTo("systemd --user unit mine.service");
    assertThat(services.get(2).manager().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(services.get(3).manager().socket()).isEqualTo(Path.of("/run/supervisor.sock"));
    assertThat(services.get(3).manager().target())
      .isEqualTo("supervisord program jobs:worker at unix:///run/supervisor.sock");
    assertThat(services.get(4).manager().url()).isEqualTo(URI.create("http://127.0.0.1:9001/RPC2"));
    assertThat(services.get(4).manager().toString()).doesNotContain("pw");
    assertThat(services.get(5).manager().target()).isEqualTo("docker container cache at unix:///run/docker.sock");
    assertThat(services.get(6).managedElsewhere()).isFalse();
    assertThat(config.checks()).extracting(AgentConfig.CheckConfig::id)
      .contains("api.process", "worker.process", "cache.process");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    unknown manager        | services: [{name: a, manager: {type: runit}}]                                    | agent.yaml: services[0].manager.type: expected one of kelpie, systemd, supervisord, docker, got "runit"
    missing type           | services: [{name: a, manager: {unit: a.service}}]                                | agent.yaml: services[0].manager.type: missing; expected one of kelpie, systemd, supervisord, docker
    manager not a mapping  | services: [{name: a, manager: systemd}]                                          | agent.yaml: services[0].manager: expected a mapping (key: value lines), got "systemd"
    systemd without unit   | services: [{name: a, manager: {type: systemd}}]                                  | agent.yaml: services[0].manager.unit: missing; expected the name the manager knows it by, like api.service
    supervisord no program | services: [{name: a, manager: {type: supervisord, socket: /run/s.sock}}]          | agent.yaml: services[0].manager.program: missing; expected the name the manager knows it by, like api (or group:api)
    supervisord no server  | services: [{name: a, manager: {type: supervisord, program: a}}]                  | agent.yaml: services[0].manager: a supervisord manager needs exactly one of url (its inet_http_server, like http://127.0.0.1:9001/RPC2) and socket (its unix_http_server file, like /run/supervisor.sock)
    supervisord url scheme | services: [{name: a, manager: {type: supervisord, program: a, url: 'ftp://h/'}}]  | agent.yaml: services[0].manager.url: expected a URL starting with http:// or https:// and naming a host, got "ftp://h/"
    docker no container    | services: [{name: a, manager: {type: docker}}]                                   | agent.yaml: services[0].manager.container: missing; expected the name the manager knows it by, like api
    name read as an option | services: [{name: a, manager: {type: docker, container: '-v'}}]                  | agent.yaml: services[0].manager.container: expected a name of letters, digits, '@', '.', '_', ':' or '-' (not starting with '-'), got "-v"
    key of another manager | services: [{name: a, manager: {type: docker, container: c, socket: /s}}]          | agent.yaml: services[0].manager.socket: not a key of a docker manager (it belongs to supervisord)
    unknown manager key    | services: [{name: a, manager: {type: systemd, unit: a, unti: b}}]                | agent.yaml: services[0].manager: unknown key 'unti'
    docker host            | services: [{name: a, manager: {type: docker, container: a, host: /var/run/d.sock}}] | agent.yaml: services[0].manager.host: expected a Docker host like unix:///var/run/docker.sock, tcp://10.0.0.5:2375 or ssh://user@host, got "/var/run/d.sock"
    docker tcp with a path | services: [{name: a, manager: {type: docker, container: a, host: "tcp://h:2375/x"}}] | agent.yaml: services[0].manager.host: expected a Docker host like unix:///var/run/docker.sock, tcp://10.0.0.5:2375 or ssh://user@host, got "tcp://h:2375/x"
    supervisord rel socket | services: [{name: a, manager: {type: supervisord, program: a, socket: s.sock}}]   | agent.yaml: services[0].manager.socket: expected the absolute path of supervisord's unix_http_server file, like /run/supervisor.sock, got "s.sock"
    zero timeout           | services: [{name: a, manager: {type: systemd, unit: a, timeout: 0s}}]            | agent.yaml: services[0].manager.timeout: must be longer than zero
    command under systemd  | services: [{name: a, command: [a], manager: {type: systemd, unit: a}}]           | agent.yaml: services[0].command: not used when systemd manages the service; it belongs to services Kelpie starts itself (manager type kelpie)
    adopt under docker     | services: [{name: a, adopt: {port: 80}, manager: {type: docker, container: a}}] | agent.yaml: services[0].adopt: not used when docker manages the service; it belongs to services Kelpie starts itself (manager type kelpie)
    kelpie needs a command | services: [{name: a, manager: {type: kelpie}}]                                   | agent.yaml: services[0].command: missing; expected the program and its arguments as a list, like [java, -jar, app.jar, --port, "8081"]
    """)
  @DisplayName("a manager's configuration problems are named with their paths")
  void refused(String name, String yaml, String expected) {
    assertThat(problems(yaml)).contains(expected);
  }
}
