package dev.kelpie.coordinator.gateway;

import dev.kelpie.coordinator.config.CoordinatorConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Which agent a presented token belongs to. Tokens are kept only as SHA-256 digests, and a presented token is
 * looked up by its digest: one hash per connection, however large the fleet, and no comparison on the secret itself.
 */
public final class AgentTokens {

  private final Map<String, String> agentByDigest = new HashMap<>();

  public AgentTokens(List<CoordinatorConfig.AgentCredential> credentials) {
    for (CoordinatorConfig.AgentCredential credential : credentials) {
      String digest = credential.tokenSha256() != null ? credential.tokenSha256() : sha256(credential.token());
      agentByDigest.put(digest, credential.id());
    }
  }

  /** The agent id for this token, or null when the token is missing or matches no agent. */
  public String identify(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    return agentByDigest.get(sha256(token));
  }

  /** The token's SHA-256 as lowercase hex: the form tokens are configured and looked up in. */
  public static String sha256(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
