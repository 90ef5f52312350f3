package dev.kelpie.agent.config;

import dev.kelpie.agent.probe.ExecAllowList;
import dev.kelpie.agent.probe.ProbeKinds;
import dev.kelpie.agent.probe.ProcessTarget;
import dev.kelpie.agent.uplink.BatchWindow;
import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.ConfigSource;
import dev.kelpie.shared.config.Identifier;
import dev.kelpie.shared.config.PolicyReader;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.PolicySpec;
import dev.kelpie.shared.rules.Limits;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the agent's YAML into an {@link AgentConfig}, collecting every problem in the source: the top-level
 * sections here, services and then checks (which may name services) in their own readers.
 */
final class AgentConfigReader {

  private static final List<String> BUS_SCHEMES = List.of("ws", "wss");
  private static final Duration RECONNECT_INITIAL = Duration.ofMillis(500);
  private static final Duration RECONNECT_MAX = Duration.ofSeconds(30);
  private static final Duration MAX_BATCH_WINDOW = Duration.ofSeconds(5);

  private final ConfigSource source;
  private final ConfigNode root;

  AgentConfigReader(ConfigSource source) {
    this.source = source;
    this.root = source.root();
  }

  AgentConfig read() {
    ConfigNode agent = root.section("agent");
    String id = agentId(agent);
    String stateDir = source.env("KELPIE_AGENT_STATE_DIR");
    String fileStateDir = agent.optionalString("stateDir", null);
    Map<String, String> labels = agent.optionalStringMap("labels");
    agent.finish();
    AgentConfig.Uplink uplink = uplink(root.section("coordinator"));
    PolicySpec defaults = defaults(root.child("defaults"));
    ServiceReader serviceReader = new ServiceReader(defaults);
    List<AgentConfig.ServiceSpec> services = root.list("services", serviceReader::read);
    ExecAllowList execAllow = ExecAllowList.read(root, "execAllow");
    CheckReader checkReader = new CheckReader(ProbeKinds.BUILT_IN, execAllow, defaults, serviceReader.names(),
      labels);
    List<AgentConfig.CheckConfig> checks = root.list("checks", checkReader::read);
    AgentConfig.Metrics metrics = metrics(root.child("metrics"));
    boolean autonomy = root.optionalBool("autonomy", true);
    limits(services.size(), withProcessChecks(services, checks, labels).size());
    root.finish();
    Path state = Path.of(stateDir != null ? stateDir : fileStateDir != null ? fileStateDir : "state/" + id);
    return new AgentConfig(id, state, uplink, services, withProcessChecks(services, checks, labels), metrics,
      autonomy);
  }

  private String agentId(ConfigNode agent) {
    String fromEnv = source.env("KELPIE_AGENT_ID");
    String fromFile = agent.optionalString("id", null);
    if (fromEnv != null) {
      Identifier.problem(fromEnv).ifPresent(problem -> agent.problem("id", problem + " (from KELPIE_AGENT_ID)"));
      return fromEnv;
    }
    if (fromFile == null) {
      agent.problem("id", "missing; expected this agent's name, like web-01 (or set KELPIE_AGENT_ID)");
      return null;
    }
    Identifier.problem(fromFile).ifPresent(problem -> agent.problem("id", problem));
    return fromFile;
  }

  private AgentConfig.Uplink uplink(ConfigNode node) {
    String envUrl = source.env("KELPIE_COORDINATOR_URL");
    URI url = envUrl != null ? node.uri("url", envUrl, BUS_SCHEMES, " (from KELPIE_COORDINATOR_URL)")
      : node.optionalUri("url", BUS_SCHEMES);
    List<URI> urls = new ArrayList<>();
    if (url != null) {
      urls.add(url);
    }
    List<String> more = node.optionalStringList("urls", "[ws://coordinator-a:8420/bus, ws://coordinator-b:8420/bus]");
    for (String text : more == null ? List.<String>of() : more) {
      URI other = node.uri("urls", text, BUS_SCHEMES, "");
      if (other != null && !urls.contains(other)) {
        urls.add(other);
      }
    }
    if (envUrl != null) {
      node.optionalString("url", null);
    } else if (!node.has("url") && !urls.isEmpty()) {
      url = urls.get(0);
    } else if (!node.has("url")) {
      node.problem("url", "missing; expected the coordinator's bus URL, like ws://coordinator:8420/bus "
        + "(or set KELPIE_COORDINATOR_URL)");
    }
    String token = source.env("KELPIE_AGENT_TOKEN");
    String fileToken = node.optionalString("token", null);
    token = token != null ? token : fileToken;
    AgentConfig.Tls tls = tls(node.child("tls"), url);
    if ((token == null || token.isBlank()) && !tls.clientCertificate()) {
      node.problem("token", "missing; expected this agent's token (or set KELPIE_AGENT_TOKEN)");
    }
    if (token != null && token.isBlank()) {
      token = null;
    }
    ConfigNode reconnect = node.child("reconnect");
    Duration initial = RECONNECT_INITIAL;
    Duration max = RECONNECT_MAX;
    if (reconnect != null) {
      initial = reconnect.optionalDuration("initial", RECONNECT_INITIAL);
      max = reconnect.optionalDuration("max", RECONNECT_MAX);
      if (initial.isZero()) {
        reconnect.problem("initial", "must be longer than zero");
      }
      if (max.compareTo(initial) < 0) {
        reconnect.problem("max", "must not be shorter than reconnect.initial (" + initial.toMillis() + "ms)");
      }
      reconnect.finish();
    }
    AgentConfig.Uplink uplink = new AgentConfig.Uplink(url, token, initial, max,
      node.optionalInt("buffer", 10_000, 1, Limits.MAX_OUTBOX), positive(node, "pingInterval", Duration.ofSeconds(5)),
      positive(node, "keepaliveInterval", Duration.ofSeconds(5)),
      positive(node, "connectTimeout", Duration.ofSeconds(3)), urls, tls, batchWindow(node));
    node.finish();
    return uplink;
  }

  private static AgentConfig.Tls tls(ConfigNode node, URI url) {
    if (node == null) {
      return AgentConfig.Tls.NONE;
    }
    Path ca = file(node, "ca");
    Path cert = file(node, "cert");
    Path key = file(node, "key");
    if (node.has("cert") != node.has("key")) {
      node.problem(node.has("cert") ? "key" : "cert", "cert and key go together (this agent's client certificate"
        + " and its private key, PEM)");
    }
    if (url != null && !"wss".equals(url.getScheme())) {
      node.problem("", "TLS settings need a wss:// url, got " + url.getScheme() + "://");
    }
    node.finish();
    return new AgentConfig.Tls(ca, cert, key);
  }

  private static Path file(ConfigNode node, String key) {
    String text = node.optionalString(key, null);
    if (text == null) {
      return null;
    }
    Path path = Path.of(text);
    if (!java.nio.file.Files.isReadable(path)) {
      node.problem(key, "cannot read " + path.toAbsolutePath() + " (expected a PEM file)");
    }
    return path;
  }

  /** The coordinator takes no more from one agent (shared {@link Limits}); a file past them is refused here. */
  private void limits(int services, int checks) {
    if (services > Limits.MAX_SERVICES) {
      root.problem("services", "at most " + Limits.MAX_SERVICES + " services per agent, got " + services);
    }
    if (checks > Limits.MAX_CHECKS) {
      root.problem("checks", "at most " + Limits.MAX_CHECKS + " checks per agent (a service without a process check"
        + " adds one), got " + checks);
    }
  }

  private PolicySpec defaults(ConfigNode node) {
    PolicySpec builtIn = PolicySpec.defaults();
    if (node == null) {
      return builtIn;
    }
    PolicySpec defaults = PolicyReader.read(node, "policy", builtIn, builtIn.interval(), builtIn.timeout());
    node.finish();
    return defaults;
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

  /** Every service without a process check of its own gets one, so a service that exits is restarted at once. */
  private static List<AgentConfig.CheckConfig> withProcessChecks(List<AgentConfig.ServiceSpec> services,
                                                          List<AgentConfig.CheckConfig> checks,
                                                          Map<String, String> labels) {
    List<AgentConfig.CheckConfig> all = new ArrayList<>(checks);
    for (AgentConfig.ServiceSpec service : services) {
      if (service.name() != null && checks.stream().noneMatch(check -> watchesService(check, service.name()))) {
        String id = service.name() + ".process";
        all.add(new AgentConfig.CheckConfig(id, CheckType.PROCESS, service.name(),
          service.policy(), new ProcessTarget(service.name(), null, null), labels));
      }
    }
    return all;
  }

  private static boolean watchesService(AgentConfig.CheckConfig check, String service) {
    return CheckType.PROCESS.equals(check.type()) && service.equals(check.service());
  }

  /** Zero (send each report at once) up to a few seconds; longer would only leave the dashboard behind. */
  private static Duration batchWindow(ConfigNode node) {
    Duration window = node.optionalDuration("batchWindow", BatchWindow.DEFAULT);
    if (window.isNegative() || window.compareTo(MAX_BATCH_WINDOW) > 0) {
      node.problem("batchWindow", "must be between 0ms and " + MAX_BATCH_WINDOW.toSeconds() + "s, got "
        + window.toMillis() + "ms");
      return BatchWindow.DEFAULT;
    }
    return window;
  }

  private static Duration positive(ConfigNode node, String key, Duration fallback) {
    Duration value = node.optionalDuration(key, fallback);
    if (value.isZero()) {
      node.problem(key, "must be longer than zero");
      return fallback;
    }
    return value;
  }
}
