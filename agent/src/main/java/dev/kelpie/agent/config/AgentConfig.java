package dev.kelpie.agent.config;

import dev.kelpie.agent.probe.ProbeKinds;
import dev.kelpie.agent.probe.ProbeTarget;
import dev.kelpie.agent.probe.ProbedCheck;
import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.config.ConfigSource;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.PolicySpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The agent's configuration, read from YAML (see config/agent.yaml) and checked as a whole at start: a
 * {@link ConfigException} lists every problem, each with file and path. Relative paths (state directory, workdir,
 * pidfiles) are taken from the directory the agent is started in, not from the file's. Every supervised service gets a process check, named
 * {@code <service>.process}, unless one is configured, so a service that exits is restarted at once.
 */
public record AgentConfig(String agentId, Path stateDir, Uplink uplink, List<ServiceSpec> services,
                          List<CheckConfig> checks, Metrics metrics) {

  public record Uplink(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                       Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout) {
  }

  /** Where the agent serves its own Prometheus metrics; null when it does not. */
  public record Metrics(String host, int port) {
  }

  /**
   * A supervised service. {@code policy} is the policy of its process check: the restart budget and backoff for a
   * service that exits.
   */
  public record ServiceSpec(String name, List<String> command, Path workdir, Map<String, String> env,
                            String stopSignal, Duration stopGrace, Integer port, Adopt adopt, boolean autostart,
                            Duration portReleaseTimeout, PolicySpec policy) {
  }

  /** How to recognise an instance of a service that is already running. */
  public record Adopt(Path pidfile, Integer port, String pattern) {
  }

  /**
   * A check: its type names the probe kind (see {@link ProbeKinds}), {@code target} is that kind's typed target. A
   * check without a service only reports: its policy never restarts.
   */
  public record CheckConfig(String id, CheckType type, String service, PolicySpec policy, ProbeTarget target,
                            Map<String, String> labels) implements ProbedCheck {

    public CheckConfig {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  public static AgentConfig load(Path file, Map<String, String> env) throws ConfigException {
    return read(ConfigSource.fromFile(file, env));
  }

  public static AgentConfig fromYaml(String yaml, String name, Map<String, String> env) throws ConfigException {
    return read(ConfigSource.fromYaml(yaml, name, env));
  }

  /** The checks as announced to the coordinator. */
  public List<CheckSpec> checkSpecs() {
    List<CheckSpec> specs = new ArrayList<>();
    for (CheckConfig check : checks) {
      specs.add(new CheckSpec(check.id(), check.type(), check.service(), check.target().describe(), check.policy(),
        check.labels()));
    }
    return specs;
  }

  private static AgentConfig read(ConfigSource source) {
    AgentConfig config = new AgentConfigReader(source).read();
    source.check();
    return config;
  }
}
