package dev.kelpie.coordinator.config;

import dev.kelpie.coordinator.load.WindowAdvice;
import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.ConfigSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads the coordinator's YAML into a {@link CoordinatorConfig}, collecting every problem in the source. */
final class CoordinatorConfigReader {

  private static final String DEFAULT_HOST = "127.0.0.1";
  private static final int DEFAULT_PORT = 8420;

  private final ConfigSource source;
  private final ConfigNode root;
  private final Set<String> agentIds = new HashSet<>();
  private TlsSettings tls = TlsSettings.NONE;

  CoordinatorConfigReader(ConfigSource source) {
    this.source = source;
    this.root = source.root();
  }

  CoordinatorConfig read() {
    CoordinatorConfig.Http http = http(root.child("http"));
    tls = new TlsReader().read(root.child("tls"));
    List<CoordinatorConfig.AgentCredential> agents = root.list("agents", this::credential);
    CoordinatorConfig.Gateway gateway = gateway(root.child("gateway"));
    CoordinatorConfig.Commands commands = commands(root.child("commands"));
    Duration lostAfter = lostAfter(root.child("keepalive"));
    CoordinatorConfig.StoreSettings store = new StoreReader(source).read(root.child("store"));
    AlertSettings alerts = new AlertsReader().read(root.child("alerts"));
    AccessSettings access = new AccessReader().read(root.child("access"));
    RulesSettings rules = new RulesReader().read(root.child("rules"));
    ClusterSettings cluster = new ClusterReader().read(root.child("cluster"));
    root.finish();
    return new CoordinatorConfig(http, agents, gateway, commands, lostAfter, store, alerts, access, tls, rules,
      cluster);
  }

  private CoordinatorConfig.Http http(ConfigNode node) {
    String host = node == null ? DEFAULT_HOST : node.optionalString("host", DEFAULT_HOST);
    int port = node == null ? DEFAULT_PORT : node.optionalInt("port", DEFAULT_PORT, 0, 65_535);
    Duration headerTimeout = CoordinatorConfig.Http.HEADER_TIMEOUT;
    Duration idleTimeout = CoordinatorConfig.Http.IDLE_TIMEOUT;
    int perAddress = CoordinatorConfig.Http.MAX_CONNECTIONS_PER_ADDRESS;
    int eventLoops = CoordinatorConfig.Http.EVENT_LOOPS;
    if (node != null) {
      headerTimeout = atLeastOneSecond(node, "headerTimeout", headerTimeout);
      idleTimeout = atLeastOneSecond(node, "idleTimeout", idleTimeout);
      perAddress = node.optionalInt("maxConnectionsPerAddress", perAddress, 0, 1_000_000);
      eventLoops = node.optionalInt("eventLoops", eventLoops, 1, CoordinatorConfig.Http.MAX_EVENT_LOOPS);
      node.finish();
    }
    String envHost = source.env("KELPIE_HTTP_HOST");
    String envPort = source.env("KELPIE_HTTP_PORT");
    if (envPort != null) {
      try {
        port = Integer.parseInt(envPort.trim());
        if (port < 0 || port > 65_535) {
          source.problem("http.port", "KELPIE_HTTP_PORT must be between 0 and 65535, got " + port);
        }
      } catch (NumberFormatException e) {
        source.problem("http.port", "KELPIE_HTTP_PORT must be a port number, got \"" + envPort + "\"");
      }
    }
    return new CoordinatorConfig.Http(envHost != null ? envHost : host, port, headerTimeout, idleTimeout, perAddress,
      eventLoops);
  }

  private static String sha256Hex(String token) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static Duration atLeastOneSecond(ConfigNode node, String key, Duration fallback) {
    Duration value = node.optionalDuration(key, fallback);
    if (value != null && value.compareTo(Duration.ofSeconds(1)) < 0) {
      node.problem(key, "must be at least 1s, got " + value.toMillis() + "ms");
      return fallback;
    }
    return value == null ? fallback : value;
  }

  private CoordinatorConfig.AgentCredential credential(ConfigNode node) {
    String id = node.id("id");
    if (id != null && !agentIds.add(id)) {
      node.problem("id", "duplicate agent id '" + id + "'");
    }
    String token = node.optionalString("token", null);
    String digest = node.optionalString("tokenSha256", null);
    String previous = node.optionalString("previousToken", null);
    String previousDigest = node.optionalString("previousTokenSha256", null);
    if (node.has("token") && node.has("tokenSha256")) {
      node.problem("", "needs exactly one of token, tokenSha256 (not both)");
    } else if (!node.has("token") && !node.has("tokenSha256") && tls.agentAuth().needsToken()) {
      node.problem("", "needs exactly one of token, tokenSha256 (or none, with tls.agentCa and tls.agentAuth"
        + " either or certificate)");
    }
    if (previous != null && previousDigest != null) {
      node.problem("", "needs at most one of previousToken, previousTokenSha256");
    }
    if (previous != null) {
      previousDigest = sha256Hex(previous);
    } else if (previousDigest != null && !previousDigest.matches("[0-9a-f]{64}")) {
      node.problem("previousTokenSha256", "expected 64 lowercase hex digits (the output of sha256sum for the token),"
        + " got " + previousDigest.length() + " characters");
      previousDigest = null;
    }
    if (token != null && token.isBlank()) {
      node.problem("token", "must not be empty");
    }
    if (digest != null && !digest.matches("[0-9a-f]{64}")) {
      node.problem("tokenSha256", "expected 64 lowercase hex digits (the output of sha256sum for the token), got "
        + digest.length() + " characters");
      digest = null;
    }
    return new CoordinatorConfig.AgentCredential(id, token, digest, previousDigest);
  }

  private static CoordinatorConfig.Gateway gateway(ConfigNode node) {
    int maxFrame = 1 << 20;
    Duration pingTimeout = Duration.ofSeconds(15);
    WindowAdvice.Settings advice = WindowAdvice.Settings.DEFAULT;
    if (node != null) {
      maxFrame = node.optionalBytes("maxFrameBytes", maxFrame, 1024, 64 << 20);
      pingTimeout = node.optionalDuration("pingTimeout", pingTimeout);
      advice = windowAdvice(node.child("batchWindowAdvice"));
      node.finish();
    }
    return new CoordinatorConfig.Gateway(maxFrame, pingTimeout, advice);
  }

  /**
   * {@code gateway.batchWindowAdvice}: {@code max} (0ms: no advice), {@code min} (advised even without pressure), both
   * within what agents take ({@code 3s}); {@code lagTarget}, the loops' lag above which the window widens.
   */
  private static WindowAdvice.Settings windowAdvice(ConfigNode node) {
    WindowAdvice.Settings fallback = WindowAdvice.Settings.DEFAULT;
    if (node == null) {
      return fallback;
    }
    Duration max = withinAdvice(node, "max", fallback.max());
    Duration min = withinAdvice(node, "min", fallback.min());
    Duration target = node.optionalDuration("lagTarget", fallback.target());
    if (target.compareTo(Duration.ofMillis(1)) < 0 || target.compareTo(Duration.ofSeconds(10)) > 0) {
      node.problem("lagTarget", "must be between 1ms and 10s, got " + target.toMillis() + "ms");
      target = fallback.target();
    }
    if (min.compareTo(max) > 0) {
      node.problem("min", "must not be more than max (" + max.toMillis() + "ms), got " + min.toMillis() + "ms");
      min = max;
    }
    node.finish();
    return new WindowAdvice.Settings(min, max, target);
  }

  private static Duration withinAdvice(ConfigNode node, String key, Duration fallback) {
    Duration value = node.optionalDuration(key, fallback);
    if (value.compareTo(WindowAdvice.Settings.DEFAULT_MAX) > 0) {
      node.problem(key, "must be at most " + WindowAdvice.Settings.DEFAULT_MAX.toMillis() + "ms (agents take no "
        + "longer advice), got " + value.toMillis() + "ms");
      return fallback;
    }
    return value;
  }

  private static CoordinatorConfig.Commands commands(ConfigNode node) {
    Duration ttl = Duration.ofSeconds(30);
    Duration answerTimeout = Duration.ofSeconds(60);
    if (node != null) {
      ttl = node.optionalDuration("ttl", ttl);
      answerTimeout = node.optionalDuration("answerTimeout", answerTimeout);
      node.finish();
    }
    return new CoordinatorConfig.Commands(ttl, answerTimeout);
  }

  private static Duration lostAfter(ConfigNode node) {
    Duration lostAfter = Duration.ofSeconds(30);
    if (node != null) {
      lostAfter = node.optionalDuration("lostAfter", lostAfter);
      node.finish();
    }
    return lostAfter;
  }
}
