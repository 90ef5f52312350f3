package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.ConfigSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's configuration, read from YAML (see config/coordinator.yaml) and checked as a whole at start.
 * {@code lostAfter}: an agent not heard from (keepalive, report or hello) this long is marked lost, once.
 */
public record CoordinatorConfig(Http http, List<AgentCredential> agents, Gateway gateway, Commands commands,
                                Duration lostAfter) {

  /** Where the one port listens; KELPIE_HTTP_HOST and KELPIE_HTTP_PORT override. Port 0 picks a free one. */
  public record Http(String host, int port) {
  }

  /** An agent allowed to connect, with its token or the token's SHA-256 (lowercase hex), exactly one of them. */
  public record AgentCredential(String id, String token, String tokenSha256) {
  }

  public record Gateway(int maxFrameBytes, Duration pingTimeout) {
  }

  /** How long a command stays valid, and how long the coordinator waits for its result before deciding again. */
  public record Commands(Duration ttl, Duration answerTimeout) {
  }

  public static CoordinatorConfig load(Path file, Map<String, String> env) throws ConfigException {
    return read(ConfigSource.fromFile(file, env));
  }

  public static CoordinatorConfig fromYaml(String yaml, String name, Map<String, String> env) throws ConfigException {
    return read(ConfigSource.fromYaml(yaml, name, env));
  }

  private static CoordinatorConfig read(ConfigSource source) {
    ConfigNode root = source.root();
    ConfigNode httpNode = root.child("http");
    String host = httpNode == null ? "127.0.0.1" : httpNode.optionalString("host", "127.0.0.1");
    Integer port = httpNode == null ? Integer.valueOf(8420) : httpNode.optionalInt("port", 8420, 0, 65_535);
    if (httpNode != null) {
      httpNode.finish();
    }
    host = source.env().getOrDefault("KELPIE_HTTP_HOST", host);
    String envPort = source.env().get("KELPIE_HTTP_PORT");
    if (envPort != null) {
      try {
        port = Integer.parseInt(envPort.trim());
      } catch (NumberFormatException e) {
        source.problem("http.port", "KELPIE_HTTP_PORT must be a port number, got \"" + envPort + "\"");
      }
    }
    List<AgentCredential> agents = root.list("agents", CoordinatorConfig::credential);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < agents.size(); i++) {
      if (!ids.add(agents.get(i).id())) {
        source.problem("agents[" + i + "].id", "duplicate agent id '" + agents.get(i).id() + "'");
      }
    }
    ConfigNode gatewayNode = root.child("gateway");
    Gateway gateway = new Gateway(
      gatewayNode == null ? 1 << 20 : gatewayNode.optionalInt("maxFrameBytes", 1 << 20, 1024, 64 << 20),
      gatewayNode == null ? Duration.ofSeconds(15) : gatewayNode.optionalDuration("pingTimeout", Duration.ofSeconds(15)));
    if (gatewayNode != null) {
      gatewayNode.finish();
    }
    ConfigNode commandsNode = root.child("commands");
    Commands commands = new Commands(
      commandsNode == null ? Duration.ofSeconds(30) : commandsNode.optionalDuration("ttl", Duration.ofSeconds(30)),
      commandsNode == null ? Duration.ofSeconds(60)
        : commandsNode.optionalDuration("answerTimeout", Duration.ofSeconds(60)));
    if (commandsNode != null) {
      commandsNode.finish();
    }
    ConfigNode keepalive = root.child("keepalive");
    Duration lostAfter = keepalive == null ? Duration.ofSeconds(30)
      : keepalive.optionalDuration("lostAfter", Duration.ofSeconds(30));
    if (keepalive != null) {
      keepalive.finish();
    }
    root.finish();
    source.check();
    return new CoordinatorConfig(new Http(host, port), agents, gateway, commands, lostAfter);
  }

  private static AgentCredential credential(ConfigNode node) {
    String id = node.string("id");
    if (id != null && !id.matches("[A-Za-z0-9._-]{1,64}")) {
      node.problem("id", "expected 1 to 64 letters, digits, '.', '_' or '-', got \"" + id + "\"");
    }
    String token = node.optionalString("token", null);
    String digest = node.optionalString("tokenSha256", null);
    if ((token == null) == (digest == null)) {
      node.problem("", "needs exactly one of token, tokenSha256");
    }
    if (token != null && token.isBlank()) {
      node.problem("token", "must not be empty");
    }
    if (digest != null && !digest.matches("[0-9a-f]{64}")) {
      node.problem("tokenSha256", "expected 64 lowercase hex digits (sha256sum of the token)");
    }
    return new AgentCredential(id, token, digest);
  }
}
