package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
  @DisplayName("the lease term: 6 s unless set, at least 1 s")
  void leaseTerm() {
    assertThat(CoordinatorConfig.fromYaml("cluster: {enabled: true}\n", "c.yaml", Map.of()).cluster().leaseTerm())
      .isEqualTo(Duration.ofSeconds(6));
    assertThat(CoordinatorConfig.fromYaml("cluster: {enabled: true, leaseTerm: 3s}\n", "c.yaml", Map.of()).cluster()
      .leaseTerm()).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("cluster: {enabled: true, leaseTerm: 500ms}\n", "c.yaml",
      Map.of())).isInstanceOf(ConfigException.class)
      .hasMessageContaining("c.yaml: cluster.leaseTerm: must be at least 1s, got 500ms");
  }

  @Test
  @DisplayName("the compose coordinators' cluster: section reads, each naming itself from the environment")
  void compose() throws Exception {
    java.nio.file.Path file = java.nio.file.Path.of("../config/compose/coordinator.yaml");
    ClusterSettings cluster = CoordinatorConfig.load(file, Map.of("KELPIE_CLUSTER_HOST", "coordinator-b",
      "AGENT_A_TOKEN", "a", "AGENT_B_TOKEN", "b")).cluster();
    assertThat(cluster.enabled()).isTrue();
    assertThat(cluster.host()).isEqualTo("coordinator-b");
    assertThat(cluster.members()).containsExactly("coordinator:5701", "coordinator-b:5701");
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
