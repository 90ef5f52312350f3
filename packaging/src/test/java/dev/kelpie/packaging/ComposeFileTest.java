package dev.kelpie.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("docker-compose.yml and the Dockerfile")
class ComposeFileTest {

  private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  @DisplayName("the compose file is valid by Compose's own check (docker-compose config, its Compose Specification schema)")
  void validByCompose() throws Exception {
    Tools.require("docker-compose", "docker-compose");
    Tools.Run check = Tools.run(List.of("docker-compose", "--project-directory", PROJECT.toString(), "-f",
      PROJECT.resolve("docker-compose.yml").toString(), "config", "--quiet"));
    assertThat(check.output()).as("what docker-compose says of docker-compose.yml").doesNotContain("invalid");
    assertThat(check.exit()).as("docker-compose config: " + check.output()).isZero();
  }

  @Test
  @DisplayName("every service restarts unless stopped, and the coordinator's health is its /ready")
  void restartAndHealth() throws Exception {
    JsonNode services = compose().get("services");
    services.fields().forEachRemaining(service ->
      assertThat(service.getValue().path("restart").asText()).as(service.getKey()).isEqualTo("unless-stopped"));
    JsonNode coordinator = services.get("coordinator");
    assertThat(coordinator.path("healthcheck").path("test").toString()).contains("/ready");
    assertThat(coordinator.path("environment").has("KELPIE_OPERATOR_PASSWORD_HASH")).isTrue();
    assertThat(services.get("agent-a").path("depends_on").path("coordinator").path("condition").asText())
      .isEqualTo("service_healthy");
    assertThat(services.get("agent-a").path("environment").path("KELPIE_AGENT_METRICS_HOST").asText())
      .as("metrics reachable by a Prometheus on the compose network").isEqualTo("0.0.0.0");
  }

  @Test
  @DisplayName("the compose coordinator lets people in: its access section comes from the environment")
  void composeAccess() {
    CoordinatorConfig defaults = CoordinatorConfig.load(PROJECT.resolve("config/compose/coordinator.yaml"),
      Map.of("AGENT_A_TOKEN", "a", "AGENT_B_TOKEN", "b", "KELPIE_OPERATOR_PASSWORD_HASH", ""));
    assertThat(defaults.access().users()).hasSize(2);
    assertThat(defaults.access().tokens()).hasSize(1);
    CoordinatorConfig chosen = CoordinatorConfig.load(PROJECT.resolve("config/compose/coordinator.yaml"),
      Map.of("AGENT_A_TOKEN", "a", "AGENT_B_TOKEN", "b", "KELPIE_OPERATOR_USER", "olga"));
    assertThat(chosen.access().users().get(0).name()).isEqualTo("olga");
  }

  @Test
  @DisplayName("the compose coordinator keeps its decision journal in a volume, not in the container's temp folder")
  void composeJournal() throws Exception {
    CoordinatorConfig config = CoordinatorConfig.load(PROJECT.resolve("config/compose/coordinator.yaml"),
      Map.of("AGENT_A_TOKEN", "a", "AGENT_B_TOKEN", "b"));
    assertThat(config.store().journal()).isEqualTo(Path.of("/var/lib/kelpie/journal"));
    assertThat(compose().path("services").path("coordinator").path("volumes").toString())
      .contains("coordinator-state:/var/lib/kelpie");
  }

  @Test
  @DisplayName("the images run as a non-root user with a health check, on pinned bases, without bench or Selenium")
  void dockerfile() throws Exception {
    String dockerfile = Files.readString(PROJECT.resolve("Dockerfile"));
    List<String> stages = List.of(dockerfile.split("(?m)^FROM "));
    for (String stage : stages.subList(1, stages.size())) {
      String base = stage.lines().findFirst().orElseThrow().split(" ")[0];
      assertThat(base).as("pinned to a release").matches(".+:[0-9]+\\.[0-9]+\\.[0-9][^ ]*").doesNotContain("latest");
      if (!stage.contains(" AS build")) {
        assertThat(stage).as(base).containsPattern("(?m)^USER kelpie$").containsPattern("(?m)^HEALTHCHECK ");
        assertThat(stage).doesNotContainIgnoringCase("bench").doesNotContainIgnoringCase("selenium");
      }
    }
    assertThat(Pattern.compile("-pl ([a-z,]+)").matcher(dockerfile).results().map(m -> m.group(1)).toList())
      .singleElement().asString().doesNotContain("bench");
    assertThat(dockerfile).doesNotContain("COPY bench/src").doesNotContain("COPY bench bench");
  }

  private static JsonNode compose() throws Exception {
    Object yaml = new Yaml().load(Files.readString(PROJECT.resolve("docker-compose.yml")));
    return JSON.valueToTree(yaml);
  }
}
