package dev.kelpie.coordinator.gateway;

import dev.kelpie.coordinator.access.BearerToken;
import dev.kelpie.coordinator.config.CoordinatorConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which agent a presented token belongs to. Tokens are kept only as SHA-256 digests, and a presented token is
 * looked up by its digest: one hash per connection, however large the fleet, and no comparison on the secret itself.
 */
public final class AgentTokens {

  private final Map<String, String> agentByDigest = new HashMap<>();

  public AgentTokens(List<CoordinatorConfig.AgentCredential> credentials) {
    for (CoordinatorConfig.AgentCredential credential : credentials) {
      String digest = credential.tokenSha256() != null ? credential.tokenSha256()
        : BearerToken.sha256(credential.token());
      agentByDigest.put(digest, credential.id());
    }
  }

  /** The agent id for this token, or null when the token is missing or matches no agent. */
  public String identify(Optional<BearerToken> token) {
    return token.filter(presented -> !presented.token().isEmpty())
      .map(presented -> agentByDigest.get(presented.digest())).orElse(null);
  }
}
