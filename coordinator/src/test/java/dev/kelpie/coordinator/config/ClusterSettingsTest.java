package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSettingsTest {

  @Test
  @DisplayName("without a cluster: section, or with enabled: false, the coordinator runs alone")
  void offByDefault() {
    assertThat(CoordinatorConfig.fromYaml("http: {port: 0}\n", "c.yaml", Map.of()).cluster())
      .isEqualTo(ClusterSettings.OFF);
    assertThat(CoordinatorConfig.fromYaml("cluster: {enabled: false, members: [127.0.0.1:5701]}\n", "c.yaml",
      Map.of()).cluster().enabled()).isFalse();
  }

  @Test
  @DisplayName("a cluster: section is read whole: name, host, port and the members to join over TCP")
  void read() {
    ClusterSettings cluster = CoordinatorConfig.fromYaml("""
        cluster:
          enabled: true
          name: prod
          host: 10.0.0.1
          port: 5801
          members: [10.0.0.1:5801, "db-2.lan:5801", "[::1]:5801"]
        """, "c.yaml", Map.of()).cluster();

    assertThat(cluster).isEqualTo(new ClusterSettings(true, "prod", "10.0.0.1", 5801,
      List.of("10.0.0.1:5801", "db-2.lan:5801", "[::1]:5801")));
  }

  @Test
  @DisplayName("bad cluster settings are refused, each naming its key")
  void refused() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("""
        cluster:
          enabled: yes please
          name: "two words"
          port: 70000
          members: [10.0.0.1, "10.0.0.2:99999", {host: a}]
          multicast: true
        """, "c.yaml", Map.of()))
      .isInstanceOf(ConfigException.class)
      .hasMessageContaining("c.yaml: cluster.enabled: expected true or false")
      .hasMessageContaining("c.yaml: cluster.name: expected letters, digits")
      .hasMessageContaining("c.yaml: cluster.port: must be between 1 and 65535, got 70000")
      .hasMessageContaining("c.yaml: cluster.members[0]: expected host:port like 10.0.0.2:5701, got \"10.0.0.1\"")
      .hasMessageContaining("c.yaml: cluster.members[1]: expected host:port like 10.0.0.2:5701, got \"10.0.0.2:99999\"")
      .hasMessageContaining("c.yaml: cluster.members[2]: expected a string")
      .hasMessageContaining("c.yaml: cluster: unknown key 'multicast'");
  }
}
