package dev.kelpie.coordinator.gateway;

import dev.kelpie.coordinator.access.BearerToken;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AgentTokensTest {

  @Test
  @DisplayName("while a token is rotated, the new and the previous one both name the agent; others name nobody")
  void rotation() throws Exception {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("agents:\n"
      + "  - {id: web-01, token: new-token, previousToken: old-token}\n"
      + "  - {id: web-02, tokenSha256: " + BearerToken.sha256("two") + ", previousTokenSha256: "
      + BearerToken.sha256("two-old") + "}\n", "rotation.yaml", Map.of());
    AgentTokens tokens = new AgentTokens(config.agents());
    assertThat(tokens.identify(BearerToken.parse("Bearer new-token"))).isEqualTo("web-01");
    assertThat(tokens.identify(BearerToken.parse("Bearer old-token"))).isEqualTo("web-01");
    assertThat(tokens.identify(BearerToken.parse("Bearer two"))).isEqualTo("web-02");
    assertThat(tokens.identify(BearerToken.parse("Bearer two-old"))).isEqualTo("web-02");
    assertThat(tokens.identify(BearerToken.parse("Bearer older-still"))).isNull();
    assertThat(new AgentTokens(List.of()).identify(BearerToken.parse("Bearer "))).isNull();
  }

  @Test
  @DisplayName("the agent id is the CN of the certificate's subject")
  void commonName() {
    assertThat(AgentTokens.commonName("CN=web-01,O=Example,C=NL")).isEqualTo("web-01");
    assertThat(AgentTokens.commonName("O=Example")).isNull();
  }
}
