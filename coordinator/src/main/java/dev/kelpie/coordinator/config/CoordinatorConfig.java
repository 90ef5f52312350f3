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
                                Duration lostAfter, StoreSettings store) {

  /**
   * Where history goes: PostgreSQL when {@code postgresUrl} is set (KELPIE_DB_URL overrides), else memory.
   * {@code schema} keeps Kelpie's tables apart in a shared database; retention applies to raw results only.
   */
  public record StoreSettings(String postgresUrl, String schema, int poolSize, int backlog, Duration keepSuccesses,
                              Duration keepFailures) {

    public boolean postgres() {
      return postgresUrl != null;
    }
  }

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
    StoreSettings store = store(root.child("store"), source.env().get("KELPIE_DB_URL"));
    root.finish();
    source.check();
    return new CoordinatorConfig(new Http(host, port), agents, gateway, commands, lostAfter, store);
  }

  private static StoreSettings store(ConfigNode node, String envUrl) {
    String url = envUrl;
    String schema = null;
    int poolSize = 4;
    int backlog = 200_000;
    Duration successes = Duration.ofDays(2);
    Duration failures = Duration.ofDays(14);
    if (node != null) {
      ConfigNode postgres = node.child("postgres");
      if (postgres != null) {
        String configured = postgres.optionalString("url", null);
        if (configured != null && !configured.matches("postgres(ql)?://.+")) {
          postgres.problem("url", "expected a URL like postgresql://user:password@host:5432/database, got \""
            + configured + "\"");
        }
        url = url != null ? url : configured;
        schema = postgres.optionalString("schema", null);
        if (schema != null && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
          postgres.problem("schema", "expected a lowercase SQL name, got \"" + schema + "\"");
        }
        poolSize = postgres.optionalInt("poolSize", 4, 1, 64);
        postgres.finish();
      }
      backlog = node.optionalInt("backlog", backlog, 1000, 10_000_000);
      ConfigNode retention = node.child("retention");
      if (retention != null) {
        successes = retention.optionalDuration("successes", successes);
        failures = retention.optionalDuration("failures", failures);
        retention.finish();
      }
      node.finish();
    }
    return new StoreSettings(url, schema, poolSize, backlog, successes, failures);
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
