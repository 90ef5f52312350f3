package dev.kelpie.agent.config;

import dev.kelpie.agent.probe.ProbeKinds;
import dev.kelpie.agent.probe.ProbeTarget;
import dev.kelpie.agent.probe.ProbedCheck;
import dev.kelpie.agent.uplink.BatchWindow;
import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.config.ConfigSource;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent's configuration, read from YAML (see config/agent.yaml) and checked as a whole at start: a
 * {@link ConfigException} lists every problem, each with file and path. Relative paths (state directory, workdir,
 * pidfiles) are taken from the directory the agent is started in, not from the file's. Every supervised service gets a process check, named
 * {@code <service>.process}, unless one is configured, so a service that exits is restarted at once.
 */
public record AgentConfig(String agentId, Path stateDir, Uplink uplink, List<ServiceSpec> services,
                          List<CheckConfig> checks, Metrics metrics, boolean autonomy) {

  /** {@code autonomy} on: the agent applies its checks' policy itself while no coordinator is there. */
  public AgentConfig(String agentId, Path stateDir, Uplink uplink, List<ServiceSpec> services,
                     List<CheckConfig> checks, Metrics metrics) {
    this(agentId, stateDir, uplink, services, checks, metrics, true);
  }

  /**
   * How the agent reaches its coordinator: {@code url} first, then the others of {@code urls} (standbys) in order,
   * moving to the next one after a failed attempt or a lost connection. {@code batchWindow}: how long a routine report
   * may wait for others to share its frame (zero: none waits).
   */
  public record Uplink(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                       Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout, List<URI> urls,
                       Tls tls, Duration batchWindow) {

    public Uplink {
      urls = urls == null || urls.isEmpty() ? (url == null ? List.of() : List.of(url)) : List.copyOf(urls);
      url = url != null ? url : urls.isEmpty() ? null : urls.get(0);
      tls = tls == null ? Tls.NONE : tls;
      batchWindow = batchWindow == null ? BatchWindow.DEFAULT : batchWindow;
    }

    public Uplink(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                  Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout, List<URI> urls, Tls tls) {
      this(url, token, reconnectInitial, reconnectMax, bufferSize, pingInterval, keepaliveInterval, connectTimeout,
        urls, tls, null);
    }

    public Uplink(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                  Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout) {
      this(url, token, reconnectInitial, reconnectMax, bufferSize, pingInterval, keepaliveInterval, connectTimeout,
        null, Tls.NONE);
    }
  }

  /**
   * {@code coordinator.tls}: the CA that signed the coordinator's certificate (PEM; null: the JVM's own trust store),
   * and this agent's client certificate and key (PEM) for mutual TLS, both or neither. Used with a {@code wss://} URL.
   */
  public record Tls(Path ca, Path cert, Path key) {

    public static final Tls NONE = new Tls(null, null, null);

    public boolean clientCertificate() {
      return cert != null;
    }
  }

  /** Where the agent serves its own Prometheus metrics; null when it does not. */
  public record Metrics(String host, int port) {
  }

  /**
   * A supervised service: what the supervisor needs to know about it, and {@code policy}, the policy of its process
   * check (the restart budget and backoff for a service that exits). {@code stopSignal} is a name without the SIG
   * prefix (TERM, INT, HUP, QUIT, USR1, USR2); {@code workdir}, {@code port} and {@code adopt} may be null. The
   * {@code manager} starts and stops it: Kelpie itself (then {@code command} is what it runs), or the host's systemd,
   * supervisord or Docker (then {@code command}, {@code workdir}, {@code env}, {@code adopt} are not used).
   */
  public record ServiceSpec(String name, List<String> command, Path workdir, Map<String, String> env,
                            String stopSignal, Duration stopGrace, Integer port, Adopt adopt, boolean autostart,
                            Duration portReleaseTimeout, PolicySpec policy, Manager manager) {

    public ServiceSpec {
      command = command == null ? List.of() : List.copyOf(command);
      env = env == null ? Map.of() : Map.copyOf(env);
      manager = manager == null ? Manager.KELPIE : manager;
    }

    public boolean managedElsewhere() {
      return manager.type() != Manager.Type.KELPIE;
    }
  }

  /**
   * How to recognise an instance that is already running, tried in this order: a pidfile, the listener on a port, the
   * first process whose command line (arguments joined by spaces) contains a match of {@code pattern}. Any may be null.
   */
  public record Adopt(Path pidfile, Integer port, String pattern) {
  }

  /**
   * Who starts and stops a service. {@code name} is the systemd unit, supervisord program or Docker container;
   * supervisord is reached at {@code url} (its inet_http_server) or {@code socket} (its unix_http_server);
   * {@code host} is Docker's daemon socket (null: the CLI's default); {@code user} means {@code systemctl --user}.
   * {@code timeout} bounds every call to the manager, a stop included.
   */
  public record Manager(Type type, String name, URI url, Path socket, String username, String password, String host,
                        boolean user, Duration timeout) {

    public static final Manager KELPIE = new Manager(Type.KELPIE, null, null, null, null, null, null, false,
      Duration.ofSeconds(30));

    public enum Type {
      KELPIE, SYSTEMD, SUPERVISORD, DOCKER;

      public String key() {
        return name().toLowerCase(Locale.ROOT);
      }
    }

    /** What it manages, as people say it: "supervisord program demo at unix:///run/supervisor.sock". */
    public String target() {
      return switch (type) {
        case KELPIE -> "spawned by the agent";
        case SYSTEMD -> (user ? "systemd --user unit " : "systemd unit ") + name;
        case SUPERVISORD -> "supervisord program " + name + " at " + (url != null ? url : "unix://" + socket);
        case DOCKER -> "docker container " + name + (host == null ? "" : " at " + host);
      };
    }

    @Override
    public String toString() {
      return target();
    }
  }

  /**
   * A check: its type names the probe kind (see {@link ProbeKinds}), {@code target} is that kind's typed target. A
   * check without a service only reports: its policy never restarts.
   */
  public record CheckConfig(String id, CheckType type, String service, PolicySpec policy, ProbeTarget target,
                            Map<String, String> labels, CheckRules rules) implements ProbedCheck {

    public CheckConfig {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      rules = rules == null ? CheckRules.DEFAULT : rules;
    }

    public CheckConfig(String id, CheckType type, String service, PolicySpec policy, ProbeTarget target,
                       Map<String, String> labels) {
      this(id, type, service, policy, target, labels, CheckRules.DEFAULT);
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
        check.labels(), check.rules()));
    }
    return specs;
  }

  private static AgentConfig read(ConfigSource source) {
    AgentConfig config = new AgentConfigReader(source).read();
    source.check();
    return config;
  }
}
