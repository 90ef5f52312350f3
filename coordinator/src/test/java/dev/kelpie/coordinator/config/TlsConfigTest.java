package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsConfigTest {

  @Test
  @DisplayName("bad tls:, http: and access: values are refused naming the key")
  void badValuesNamed() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("tls: {cert: /no/such.crt, key: /no/such.key, "
      + "agentAuth: sometimes}\nhttp: {headerTimeout: 10ms, maxConnectionsPerAddress: -1}\n"
      + "access: {hostNames: [\"evil.example:80\"], loginChecksAtOnce: 0}\n"
      + "agents:\n  - {id: a, token: t, previousTokenSha256: nothex}\n  - {id: b}\n", "bad.yaml", Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("tls.cert: cannot read")
      .hasMessageContaining("tls.key: cannot read")
      .hasMessageContaining("tls.agentAuth: expected one of [token, either, certificate, both]")
      .hasMessageContaining("http.headerTimeout: must be at least 1s")
      .hasMessageContaining("http.maxConnectionsPerAddress")
      .hasMessageContaining("access.hostNames[0]")
      .hasMessageContaining("access.loginChecksAtOnce")
      .hasMessageContaining("agents[0].previousTokenSha256")
      .hasMessageContaining("agents[1]: needs exactly one of token, tokenSha256");
  }

  @Test
  @DisplayName("without tls: the port is plain, agents by token, and the front door has its defaults")
  void defaults() throws Exception {
    CoordinatorConfig config = CoordinatorConfig.fromYaml("agents: [{id: a, token: t}]\n", "plain.yaml", Map.of());
    assertThat(config.tls().enabled()).isFalse();
    assertThat(config.tls().agentAuth()).isEqualTo(TlsSettings.AgentAuth.TOKEN);
    assertThat(config.http().headerTimeout()).hasSeconds(10);
    assertThat(config.http().maxConnectionsPerAddress()).isEqualTo(1024);
  }
}
