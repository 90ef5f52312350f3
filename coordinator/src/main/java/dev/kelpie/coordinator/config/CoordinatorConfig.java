package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.config.ConfigSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's configuration, read from YAML (see config/coordinator.yaml) and checked as a whole at start: a
 * {@link ConfigException} lists every problem, each with file and path.
 * {@code lostAfter}: an agent not heard from (keepalive, report or hello) this long is marked lost, once.
 */
public record CoordinatorConfig(Http http, List<AgentCredential> agents, Gateway gateway, Commands commands,
                                Duration lostAfter, StoreSettings store, AlertSettings alerts,
                                AccessSettings access, ClusterSettings cluster) {

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

    /** Whether {@code presented} is this agent's token; compared by digest in constant time. */
    public boolean matches(String presented) {
      if (presented == null || presented.isEmpty()) {
        return false;
      }
      byte[] expected = token != null ? sha256(token) : HexFormat.of().parseHex(tokenSha256);
      return MessageDigest.isEqual(expected, sha256(presented));
    }

    private static byte[] sha256(String text) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java runtime has SHA-256", e);
      }
    }
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
    CoordinatorConfig config = new CoordinatorConfigReader(source).read();
    source.check();
    return config;
  }
}
