package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.ConfigSource;
import dev.kelpie.shared.config.PolicyReader;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.PolicySpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads the agent's YAML into an {@link AgentConfig}, collecting every problem in the source. */
final class AgentConfigReader {

  private static final Set<String> SIGNALS = Set.of("TERM", "INT", "HUP", "QUIT", "USR1", "USR2");
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "OPTIONS");

  private final ConfigSource source;
  private final ConfigNode root;
  private PolicySpec defaults = PolicySpec.defaults();

  AgentConfigReader(ConfigSource source) {
    this.source = source;
    this.root = source.root();
  }

  AgentConfig read() {
    ConfigNode agent = required("agent");
    String id = override("KELPIE_AGENT_ID", agent == null ? null : agent.string("id"));
    checkId(agent == null ? "agent.id" : agent.path() + ".id", id);
    Path stateDir = Path.of(override("KELPIE_AGENT_STATE_DIR",
      agent == null ? null : agent.optionalString("stateDir", "state/" + id)) + "");
    if (agent != null) {
      agent.finish();
    }
    AgentConfig.Uplink uplink = uplink(required("coordinator"));
    ConfigNode defaultsNode = root.child("defaults");
    if (defaultsNode != null) {
      defaults = PolicyReader.read(defaultsNode.child("policy"), defaults, defaults.interval(), defaults.timeout());
      defaultsNode.finish();
    }
    List<AgentConfig.ServiceSpec> services = root.list("services", this::service);
    List<AgentConfig.CheckConfig> checks = root.list("checks", this::check);
    AgentConfig.Metrics metrics = metrics(root.child("metrics"));
    root.finish();
    crossCheck(services, checks);
    return new AgentConfig(id, stateDir, uplink, services, withProcessChecks(services, checks), metrics);
  }

  private AgentConfig.Uplink uplink(ConfigNode node) {
    if (node == null) {
      return new AgentConfig.Uplink(null, null, Duration.ofMillis(500), Duration.ofSeconds(30), 10_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5));
    }
    URI url = node.optionalUri("url", null, List.of("ws", "wss"));
    String envUrl = source.env().get("KELPIE_COORDINATOR_URL");
    if (envUrl != null) {
      url = URI.create(envUrl);
    } else if (url == null && !node.has("url")) {
      node.problem("url", "missing; expected the coordinator's bus URL, like ws://coordinator:8420/bus");
    }
    String token = override("KELPIE_AGENT_TOKEN", node.optionalString("token", null));
    if (token == null || token.isBlank()) {
      node.problem("token", "missing; expected this agent's token (or set KELPIE_AGENT_TOKEN)");
    }
    ConfigNode reconnect = node.child("reconnect");
    Duration initial = reconnect == null ? Duration.ofMillis(500) : reconnect.optionalDuration("initial", Duration.ofMillis(500));
    Duration max = reconnect == null ? Duration.ofSeconds(30) : reconnect.optionalDuration("max", Duration.ofSeconds(30));
    if (reconnect != null) {
      if (initial.isZero() || max.compareTo(initial) < 0) {
        reconnect.problem("max", "must be at least reconnect.initial and both longer than zero");
      }
      reconnect.finish();
    }
    AgentConfig.Uplink uplink = new AgentConfig.Uplink(url, token, initial, max,
      node.optionalInt("buffer", 10_000, 1, 1_000_000), node.optionalDuration("pingInterval", Duration.ofSeconds(5)),
      node.optionalDuration("keepaliveInterval", Duration.ofSeconds(5)));
    node.finish();
    return uplink;
  }

  private AgentConfig.Metrics metrics(ConfigNode node) {
    if (node == null) {
      return null;
    }
    AgentConfig.Metrics metrics = new AgentConfig.Metrics(node.optionalString("host", "127.0.0.1"),
      node.optionalInt("port", 9464, 0, 65_535));
    node.finish();
    return metrics;
  }

  private AgentConfig.ServiceSpec service(ConfigNode node) {
    String name = node.string("name");
    checkId(node.path() + ".name", name);
    List<String> command = node.optionalStringList("command");
    if (command == null && !node.has("command")) {
      node.problem("command", "missing; expected the program and its arguments as a list, like [java, -jar, app.jar]");
    } else if (command != null && command.isEmpty()) {
      node.problem("command", "must name a program to run");
    }
    String workdir = node.optionalString("workdir", null);
    String signal = node.optionalString("stopSignal", "TERM").toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
    if (!SIGNALS.contains(signal)) {
      node.problem("stopSignal", "expected one of " + SIGNALS + ", got \"" + signal + "\"");
    }
    Integer port = node.optionalInt("port", null, 1, 65_535);
    AgentConfig.Adopt adopt = adopt(node.child("adopt"));
    PolicySpec restart = PolicyReader.readRestart(node.child("restart"), defaults);
    return new AgentConfig.ServiceSpec(name, command == null ? List.of() : command,
      workdir == null ? null : Path.of(workdir), node.optionalStringMap("env"), signal,
      node.optionalDuration("stopGrace", Duration.ofSeconds(10)), port, adopt,
      node.optionalBool("autostart", true), node.optionalDuration("portReleaseTimeout", Duration.ofSeconds(10)),
      processPolicy(restart));
  }

  private AgentConfig.Adopt adopt(ConfigNode node) {
    if (node == null) {
      return null;
    }
    String pidfile = node.optionalString("pidfile", null);
    Integer port = node.optionalInt("port", null, 1, 65_535);
    String pattern = pattern(node, "pattern");
    if (pidfile == null && port == null && pattern == null) {
      node.problem("", "needs at least one of pidfile, port, pattern");
    }
    node.finish();
    return new AgentConfig.Adopt(pidfile == null ? null : Path.of(pidfile), port, pattern);
  }

  private AgentConfig.CheckConfig check(ConfigNode node) {
    String id = node.string("id");
    checkId(node.path() + ".id", id);
    String typeName = node.string("type");
    CheckType type = null;
    try {
      type = typeName == null ? null : CheckType.valueOf(typeName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      node.problem("type", "expected http, tcp or process, got \"" + typeName + "\"");
    }
    String service = node.optionalString("service", null);
    Duration interval = node.optionalDuration("interval", defaults.interval());
    Duration timeout = node.optionalDuration("timeout", defaults.timeout());
    if (type == null) {
      return null;
    }
    AgentConfig.Http http = type == CheckType.HTTP ? http(node, timeout) : null;
    AgentConfig.Tcp tcp = type == CheckType.TCP ? tcp(node) : null;
    AgentConfig.Proc proc = type == CheckType.PROCESS ? proc(node, service) : null;
    PolicySpec policy = PolicyReader.read(node.child("policy"), defaults, interval, timeout);
    if (service == null && policy.restart()) {
      policy = reportOnly(policy);
    }
    return new AgentConfig.CheckConfig(id, type, service, policy, http, tcp, proc);
  }

  private AgentConfig.Http http(ConfigNode node, Duration timeout) {
    URI url = node.optionalUri("url", null, List.of("http", "https"));
    if (url == null && !node.has("url")) {
      node.problem("url", "missing; expected the URL to probe, like http://127.0.0.1:8080/health");
    }
    String method = node.optionalString("method", "GET").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      node.problem("method", "expected one of " + METHODS + ", got \"" + method + "\"");
    }
    return new AgentConfig.Http(url, method, node.optionalInt("expectStatus", 200, 100, 599),
      node.optionalString("expectBody", null), node.optionalDuration("connectTimeout", Duration.ofMillis(1500)),
      timeout);
  }

  private AgentConfig.Tcp tcp(ConfigNode node) {
    String host = node.optionalString("host", "127.0.0.1");
    Integer port = node.optionalInt("port", null, 1, 65_535);
    if (port == null && !node.has("port")) {
      node.problem("port", "missing; expected the TCP port to connect to");
    }
    return new AgentConfig.Tcp(host, port == null ? 0 : port,
      node.optionalDuration("connectTimeout", Duration.ofMillis(1500)));
  }

  private AgentConfig.Proc proc(ConfigNode node, String service) {
    String pidfile = node.optionalString("pidfile", null);
    String pattern = pattern(node, "pattern");
    int given = (service == null ? 0 : 1) + (pidfile == null ? 0 : 1) + (pattern == null ? 0 : 1);
    if (given != 1) {
      node.problem("", "a process check needs exactly one of service, pidfile, pattern");
    }
    return new AgentConfig.Proc(service, pidfile == null ? null : Path.of(pidfile), pattern);
  }

  private void crossCheck(List<AgentConfig.ServiceSpec> services, List<AgentConfig.CheckConfig> checks) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < services.size(); i++) {
      if (!names.add(services.get(i).name())) {
        source.problem("services[" + i + "].name", "duplicate service name '" + services.get(i).name() + "'");
      }
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < checks.size(); i++) {
      AgentConfig.CheckConfig check = checks.get(i);
      if (!ids.add(check.id())) {
        source.problem("checks[" + i + "].id", "duplicate check id '" + check.id() + "'");
      }
      if (check.service() != null && !names.contains(check.service())) {
        source.problem("checks[" + i + "].service", "no service named '" + check.service() + "' (services: "
          + String.join(", ", names) + ")");
      }
    }
  }

  private List<AgentConfig.CheckConfig> withProcessChecks(List<AgentConfig.ServiceSpec> services,
                                                          List<AgentConfig.CheckConfig> checks) {
    List<AgentConfig.CheckConfig> all = new ArrayList<>(checks);
    for (AgentConfig.ServiceSpec service : services) {
      boolean configured = checks.stream()
        .anyMatch(c -> c.type() == CheckType.PROCESS && service.name().equals(c.service()));
      if (!configured) {
        all.add(new AgentConfig.CheckConfig(service.name() + ".process", CheckType.PROCESS, service.name(),
          service.policy(), null, null, new AgentConfig.Proc(service.name(), null, null)));
      }
    }
    return all;
  }

  private static PolicySpec processPolicy(PolicySpec restart) {
    return new PolicySpec(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, null, 1, Duration.ZERO, false,
      Duration.ZERO, restart.budget(), restart.backoff(), true);
  }

  private static PolicySpec reportOnly(PolicySpec p) {
    return new PolicySpec(p.interval(), p.timeout(), p.failureThreshold(), p.window(), p.successThreshold(),
      p.startupGrace(), p.waitForFirstHealthy(), p.startupDeadline(), p.budget(), p.backoff(), false);
  }

  private static String pattern(ConfigNode node, String key) {
    String pattern = node.optionalString(key, null);
    if (pattern != null) {
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        node.problem(key, "not a valid regular expression: " + e.getDescription());
        return null;
      }
    }
    return pattern;
  }

  private ConfigNode required(String key) {
    ConfigNode node = root.child(key);
    if (node == null && !root.has(key)) {
      source.problem(key, "missing section");
    }
    return node;
  }

  private String override(String variable, String value) {
    String env = source.env().get(variable);
    return env != null && !env.isBlank() ? env : value;
  }

  private void checkId(String path, String id) {
    String problem = AgentConfig.idProblem(id);
    if (problem != null && id != null) {
      source.problem(path, problem);
    }
  }
}
