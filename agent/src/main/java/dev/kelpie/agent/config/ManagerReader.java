package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigNode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a service's {@code manager:}, like {@code {type: systemd, unit: api.service}}: who starts and stops it. Each
 * type has its own keys; a key of another type is named as such.
 */
final class ManagerReader {

  /** Unit, program and container names: no spaces, never read as an option by the manager's command line. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._:-]{0,254}");
  private static final Map<String, List<String>> KEYS = Map.of(
    "systemd", List.of("unit", "user"),
    "supervisord", List.of("program", "url", "socket", "username", "password"),
    "docker", List.of("container", "host"));
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Docker hosts as the CLI takes them; unix and tcp ones are also where the agent reads the engine's events. */
  private static final Pattern DOCKER_HOST = Pattern.compile("unix:///\\S+|tcp://[^/\\s:]+(:[0-9]{1,5})?|ssh://\\S+");

  private ManagerReader() {
  }

  /** The manager in {@code node} (null: Kelpie itself). */
  static AgentConfig.Manager read(ConfigNode node) {
    if (node == null) {
      return AgentConfig.Manager.KELPIE;
    }
    String given = node.string("type", "one of " + types());
    AgentConfig.Manager.Type type = Arrays.stream(AgentConfig.Manager.Type.values())
      .filter(t -> t.key().equals(given)).findFirst().orElse(null);
    if (type == null) {
      if (given != null) {
        node.problem("type", "expected one of " + types() + ", got \"" + given + "\"");
      }
      node.ignoreRest();
      return AgentConfig.Manager.KELPIE;
    }
    refuseKeysOfOthers(node, type.key());
    Duration timeout = node.optionalDuration("timeout", TIMEOUT);
    if (timeout.isZero()) {
      node.problem("timeout", "must be longer than zero");
    }
    AgentConfig.Manager manager = switch (type) {
      case KELPIE -> AgentConfig.Manager.KELPIE;
      case SYSTEMD -> new AgentConfig.Manager(type, name(node, "unit", "api.service"), null, null, null, null, null,
        node.optionalBool("user", false), timeout);
      case SUPERVISORD -> supervisord(node, timeout);
      case DOCKER -> new AgentConfig.Manager(type, name(node, "container", "api"), null, null, null, null,
        dockerHost(node), false, timeout);
    };
    node.finish();
    return manager;
  }

  private static AgentConfig.Manager supervisord(ConfigNode node, Duration timeout) {
    String program = name(node, "program", "api (or group:api)");
    URI url = node.optionalUri("url", List.of("http", "https"));
    String socket = node.optionalString("socket", null);
    if (socket != null && !socket.startsWith("/")) {
      node.problem("socket", "expected the absolute path of supervisord's unix_http_server file, like "
        + "/run/supervisor.sock, got \"" + socket + "\"");
    }
    if (node.has("url") == node.has("socket")) {
      node.problem("", "a supervisord manager needs exactly one of url (its inet_http_server, like "
        + "http://127.0.0.1:9001/RPC2) and socket (its unix_http_server file, like /run/supervisor.sock)");
    }
    if (url != null && (url.getPath() == null || url.getPath().isEmpty() || url.getPath().equals("/"))) {
      url = url.resolve("/RPC2");
    }
    return new AgentConfig.Manager(AgentConfig.Manager.Type.SUPERVISORD, program, url,
      socket == null ? null : Path.of(socket), node.optionalString("username", null),
      node.optionalString("password", null), null, false, timeout);
  }

  private static String dockerHost(ConfigNode node) {
    String host = node.optionalString("host", null);
    if (host != null && !DOCKER_HOST.matcher(host).matches()) {
      node.problem("host", "expected a Docker host like unix:///var/run/docker.sock, tcp://10.0.0.5:2375 or "
        + "ssh://user@host, got \"" + host + "\"");
      return null;
    }
    return host;
  }

  private static String name(ConfigNode node, String key, String example) {
    String name = node.string(key, "the name the manager knows it by, like " + example);
    if (name != null && !NAME.matcher(name).matches()) {
      node.problem(key, "expected a name of letters, digits, '@', '.', '_', ':' or '-' (not starting with '-'), got \""
        + name + "\"");
      return null;
    }
    return name;
  }

  private static void refuseKeysOfOthers(ConfigNode node, String type) {
    KEYS.forEach((other, keys) -> {
      if (!other.equals(type)) {
        keys.stream().filter(key -> node.has(key) && !KEYS.getOrDefault(type, List.of()).contains(key))
          .forEach(key -> {
            node.problem(key, "not a key of a " + type + " manager (it belongs to " + other + ")");
            node.ignore(key);
          });
      }
    });
  }

  private static String types() {
    return Arrays.stream(AgentConfig.Manager.Type.values()).map(AgentConfig.Manager.Type::key)
      .collect(Collectors.joining(", "));
  }
}
