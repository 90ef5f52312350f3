package dev.kelpie.coordinator.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * HTTPS and WSS on the coordinator's port ({@code tls:}): its certificate chain and key as PEM files, read again when
 * they change (checked every {@code reloadCheck}). With {@code agentCa}, agents may present a client certificate
 * signed by that CA, whose subject's CN is their id; {@code agentAuth} says what an agent must show.
 */
public record TlsSettings(Path cert, Path key, Path agentCa, AgentAuth agentAuth, Duration reloadCheck) {

  public static final TlsSettings NONE = new TlsSettings(null, null, null, AgentAuth.TOKEN, Duration.ofSeconds(10));

  /** What an agent must present when it connects. */
  public enum AgentAuth {
    /** its bearer token (the only choice without {@code agentCa}) */
    TOKEN,
    /** its bearer token or a client certificate */
    EITHER,
    /** a client certificate; tokens are not looked at */
    CERTIFICATE,
    /** both, naming the same agent */
    BOTH;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean needsToken() {
      return this == TOKEN || this == BOTH;
    }

    public boolean acceptsToken() {
      return this != CERTIFICATE;
    }
  }

  public boolean enabled() {
    return cert != null;
  }
}
