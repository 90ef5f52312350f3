package dev.kelpie.coordinator.config;

import java.time.Duration;
import java.util.List;

/**
 * Who may see and act through the dashboard and the API ({@code access:} in the coordinator's config).
 * Passwords are kept as bcrypt hashes ({@code kelpie-coordinator hash-password}, or {@code htpasswd -nbB}); API
 * tokens as their SHA-256. {@code localViewing} lets anyone on this machine look without logging in, never act;
 * then a request from this machine must name the coordinator by one of its names in {@code Host} (localhost, a
 * loopback address, {@code http.host} or one of {@code hostNames}), so a page whose DNS name was pointed at
 * 127.0.0.1 (DNS rebinding) does not get the fleet.
 */
public record AccessSettings(List<User> users, List<ApiToken> tokens, boolean localViewing, boolean secureCookies,
                             Duration sessionTimeout, List<String> hostNames, int loginChecksAtOnce) {

  /** bcrypt checks running at once, at most: the rest wait their turn (one per client address). */
  public static final int LOGIN_CHECKS_AT_ONCE = 2;

  public static final AccessSettings CLOSED = new AccessSettings(List.of(), List.of(), false, true,
    Duration.ofHours(12));

  public AccessSettings(List<User> users, List<ApiToken> tokens, boolean localViewing, boolean secureCookies,
                        Duration sessionTimeout) {
    this(users, tokens, localViewing, secureCookies, sessionTimeout, List.of(), LOGIN_CHECKS_AT_ONCE);
  }

  /** What a person or script may do: a viewer looks, an operator also acts. */
  public enum Role {
    VIEWER, OPERATOR;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A person, with the bcrypt hash of their password ({@code $2a$}, {@code $2b$} or {@code $2y$}). */
  public record User(String name, Role role, String passwordHash) {

    @Override
    public String toString() {
      return "User[" + name + ", " + role.label() + "]";
    }
  }

  /** A script's token, kept as the SHA-256 (lowercase hex) of the token itself, never the token. */
  public record ApiToken(String name, Role role, String tokenSha256) {

    @Override
    public String toString() {
      return "ApiToken[" + name + ", " + role.label() + "]";
    }
  }

  /** Whether anything at all can get in; a coordinator with nobody may still serve agents and metrics. */
  public boolean open() {
    return localViewing || !users.isEmpty() || !tokens.isEmpty();
  }
}
