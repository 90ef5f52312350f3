package dev.kelpie.coordinator.config;

import dev.kelpie.coordinator.load.WindowAdvice;
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
                                AccessSettings access, TlsSettings tls, RulesSettings rules,
                                ClusterSettings cluster) {

  public CoordinatorConfig(Http http, List<AgentCredential> agents, Gateway gateway, Commands commands,
                           Duration lostAfter, StoreSettings store, AlertSettings alerts, AccessSettings access) {
    this(http, agents, gateway, commands, lostAfter, store, alerts, access, TlsSettings.NONE, RulesSettings.NONE,
      ClusterSettings.OFF);
  }

  /**
   * Where history goes: PostgreSQL when {@code postgresUrl} is set (KELPIE_DB_URL overrides), else memory.
   * {@code schema} keeps Kelpie's tables apart in a shared database; retention applies to raw results only. A write
   * not done within {@code writeTimeout} marks the store down; {@code journal} is the directory where decisions wait
   * when the store cannot take them before their command must leave.
   */
  public record StoreSettings(String postgresUrl, String schema, int poolSize, int backlog, Duration keepSuccesses,
                              Duration keepFailures, Duration writeTimeout, java.nio.file.Path journal) {

    public boolean postgres() {
      return postgresUrl != null;
    }
  }

  /**
   * Where the one port listens; KELPIE_HTTP_HOST and KELPIE_HTTP_PORT override. Port 0 picks a free one.
   * {@code headerTimeout}: a connection that has not sent a whole request (head and body) this long after it opened
   * or after its last answer is closed; {@code idleTimeout}: one with no traffic at all this long (WebSockets
   * included); {@code maxConnectionsPerAddress}: open connections from one client address (0: no limit);
   * {@code eventLoops}: how many event loops serve the port (its connections, agents' included, are spread over them).
   */
  public record Http(String host, int port, Duration headerTimeout, Duration idleTimeout,
                     int maxConnectionsPerAddress, int eventLoops) {

    public static final Duration HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    public static final int MAX_CONNECTIONS_PER_ADDRESS = 1024;
    public static final int MAX_EVENT_LOOPS = 64;
    /** One by default; a large fleet wants one per core (at most 4: past that the policy's one loop is the limit). */
    public static final int EVENT_LOOPS = 1;

    public Http(String host, int port, Duration headerTimeout, Duration idleTimeout, int maxConnectionsPerAddress) {
      this(host, port, headerTimeout, idleTimeout, maxConnectionsPerAddress, EVENT_LOOPS);
    }

    public Http(String host, int port) {
      this(host, port, HEADER_TIMEOUT, IDLE_TIMEOUT, MAX_CONNECTIONS_PER_ADDRESS);
    }

    /** The same on another port (-1: a free one, shared by every event loop listening on -1). */
    public Http withPort(int port) {
      return new Http(host, port, headerTimeout, idleTimeout, maxConnectionsPerAddress, eventLoops);
    }
  }

  /**
   * An agent allowed to connect, with its token or the token's SHA-256 (lowercase hex), or neither when agents log in
   * by certificate only; {@code previousTokenSha256} is a second token still accepted while agents are moved to a
   * new one (rotation).
   */
  public record AgentCredential(String id, String token, String tokenSha256, String previousTokenSha256) {

    public AgentCredential(String id, String token, String tokenSha256) {
      this(id, token, tokenSha256, null);
    }

    /** Whether {@code presented} is this agent's token; compared by digest in constant time. */
    public boolean matches(String presented) {
      if (presented == null || presented.isEmpty() || (token == null && tokenSha256 == null)) {
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

  /** {@code windowAdvice}: the batch window advised to agents under pressure ({@code gateway.batchWindowAdvice}). */
  public record Gateway(int maxFrameBytes, Duration pingTimeout, WindowAdvice.Settings windowAdvice) {

    public Gateway {
      windowAdvice = windowAdvice == null ? WindowAdvice.Settings.DEFAULT : windowAdvice;
    }

    public Gateway(int maxFrameBytes, Duration pingTimeout) {
      this(maxFrameBytes, pingTimeout, null);
    }
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
