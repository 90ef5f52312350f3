package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.PolicyReader;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.policy.PolicySpec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Reads one entry of {@code checks:}, given the services it may name. */
final class CheckReader {

  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "OPTIONS");
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final Map<CheckType, List<String>> OWN_KEYS = Map.of(
    CheckType.HTTP, List.of("url", "method", "expectStatus", "expectBody", "connectTimeout"),
    CheckType.TCP, List.of("host", "port", "connectTimeout"),
    CheckType.PROCESS, List.of("pidfile", "pattern"));

  private final PolicySpec defaults;
  private final Set<String> services;
  private final Set<String> ids = new HashSet<>();
  private final Map<String, String> agentLabels;

  CheckReader(PolicySpec defaults, Set<String> services, Map<String, String> agentLabels) {
    this.defaults = defaults;
    this.services = services;
    this.agentLabels = agentLabels;
  }

  AgentConfig.CheckConfig read(ConfigNode node) {
    String id = node.id("id");
    CheckType type = type(node);
    if (type == null) {
      node.ignoreRest();
      return null;
    }
    String service = service(node);
    checkId(node, id, type, service);
    Duration interval = node.optionalDuration("interval", defaults.interval());
    Duration timeout = node.optionalDuration("timeout", TIMEOUT);
    AgentConfig.Http http = type == CheckType.HTTP ? http(node, timeout) : null;
    AgentConfig.Tcp tcp = type == CheckType.TCP ? tcp(node) : null;
    AgentConfig.Proc proc = type == CheckType.PROCESS ? proc(node, service) : null;
    refuseKeysOfOtherTypes(node, type);
    PolicySpec policy = PolicyReader.read(node, "policy", defaults, interval, timeout);
    if (service == null && policy.restart()) {
      policy = reportOnly(policy);
    }
    Map<String, String> labels = new TreeMap<>(agentLabels);
    labels.putAll(node.optionalStringMap("labels"));
    return new AgentConfig.CheckConfig(id, type, service, policy, http, tcp, proc, labels);
  }

  private static CheckType type(ConfigNode node) {
    String name = node.string("type", "http, tcp or process");
    if (name == null) {
      return null;
    }
    for (CheckType type : CheckType.values()) {
      if (type.name().equalsIgnoreCase(name)) {
        return type;
      }
    }
    node.problem("type", "expected http, tcp or process, got \"" + name + "\"");
    return null;
  }

  private String service(ConfigNode node) {
    String service = node.optionalString("service", null);
    if (service != null && !services.contains(service)) {
      node.problem("service", "no service named '" + service + "' ("
        + (services.isEmpty() ? "no services are configured" : "services: " + String.join(", ", services)) + ")");
    }
    return service;
  }

  /** Ids are unique, and {@code <service>.process} belongs to that service's own process check. */
  private void checkId(ConfigNode node, String id, CheckType type, String service) {
    if (id == null) {
      return;
    }
    if (!ids.add(id)) {
      node.problem("id", "duplicate check id '" + id + "'");
    }
    String owner = id.endsWith(".process") ? id.substring(0, id.length() - ".process".length()) : null;
    if (owner != null && services.contains(owner) && !(type == CheckType.PROCESS && owner.equals(service))) {
      node.problem("id", "'" + id + "' is kept for the process check of service " + owner + "; choose another id");
    }
  }

  private static AgentConfig.Http http(ConfigNode node, Duration timeout) {
    URI url = node.optionalUri("url", List.of("http"));
    if (!node.has("url")) {
      node.problem("url", "missing; expected the URL to probe, like http://127.0.0.1:8080/health");
    }
    String method = node.optionalString("method", "GET").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      node.problem("method", "expected one of " + String.join(", ", METHODS) + ", got \"" + method + "\"");
    }
    return new AgentConfig.Http(url, method, node.optionalInt("expectStatus", 200, 100, 599),
      node.optionalString("expectBody", null), node.optionalDuration("connectTimeout", CONNECT_TIMEOUT), timeout);
  }

  private static AgentConfig.Tcp tcp(ConfigNode node) {
    String host = node.optionalString("host", "127.0.0.1");
    Integer port = node.optionalInt("port", null, 1, 65_535);
    if (!node.has("port")) {
      node.problem("port", "missing; expected the TCP port to connect to (1 to 65535)");
    }
    return new AgentConfig.Tcp(host, port == null ? 0 : port, node.optionalDuration("connectTimeout", CONNECT_TIMEOUT));
  }

  private static AgentConfig.Proc proc(ConfigNode node, String service) {
    String pidfile = node.optionalString("pidfile", null);
    String pattern = node.optionalRegex("pattern");
    int given = (service == null ? 0 : 1) + (node.has("pidfile") ? 1 : 0) + (node.has("pattern") ? 1 : 0);
    if (given != 1) {
      node.problem("", "a process check needs exactly one of service, pidfile, pattern; got " + given);
    }
    return new AgentConfig.Proc(service, pidfile == null ? null : Path.of(pidfile), pattern);
  }

  private static void refuseKeysOfOtherTypes(ConfigNode node, CheckType type) {
    Map<String, List<String>> owners = new TreeMap<>();
    OWN_KEYS.forEach((other, keys) -> keys.forEach(key ->
      owners.computeIfAbsent(key, k -> new ArrayList<>()).add(other.name().toLowerCase(Locale.ROOT))));
    owners.forEach((key, types) -> {
      if (!OWN_KEYS.get(type).contains(key) && node.has(key)) {
        Collections.sort(types);
        node.problem(key, "not a key of a " + type.name().toLowerCase(Locale.ROOT) + " check (it belongs to "
          + String.join(" and ", types) + " checks)");
        node.ignore(key);
      }
    });
  }

  private static PolicySpec reportOnly(PolicySpec p) {
    return new PolicySpec(p.interval(), p.timeout(), p.failureThreshold(), p.window(), p.successThreshold(),
      p.startupGrace(), p.waitForFirstHealthy(), p.startupDeadline(), p.budget(), p.backoff(), false);
  }
}
