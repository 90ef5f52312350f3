package dev.kelpie.coordinator.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A token presented as {@code Authorization: Bearer <token>}, by an agent (on its bridge connection) or a script (on
 * the API). Tokens are configured and looked up only as their SHA-256: one hash per request or connection, and no
 * comparison on the secret itself.
 */
public record BearerToken(String token) {

  private static final String SCHEME = "Bearer ";

  /** The token in an {@code Authorization} header (perhaps blank); empty when missing or of another scheme. */
  public static Optional<BearerToken> parse(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.empty();
    }
    return Optional.of(new BearerToken(authorization.substring(SCHEME.length()).trim()));
  }

  /** The token's SHA-256 as lowercase hex: the form tokens are configured and looked up in. */
  public String digest() {
    return sha256(token);
  }

  public static String sha256(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "BearerToken[***]";
  }
}
