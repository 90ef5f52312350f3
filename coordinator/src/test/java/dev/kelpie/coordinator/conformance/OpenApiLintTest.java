package dev.kelpie.coordinator.conformance;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API's OpenAPI document as generated clients and API tooling read it: Redocly CLI's lint with its recommended
 * rules (conformance/redocly.yaml says which one is off, and why) finds no error and no warning.
 */
class OpenApiLintTest {

  /** 1.x runs on Debian 12's Node 18 as well as on newer ones. */
  static final String REDOCLY = "@redocly/cli@1.34.20";

  @Test
  @DisplayName("Redocly's recommended rules find nothing wrong in the served OpenAPI document")
  void redoclyLintIsClean() throws Exception {
    ThirdPartyTool.require("node", "apt-get install nodejs");
    Path modules = ThirdPartyTool.npmPackage(REDOCLY);
    Path folder = Files.createDirectories(Path.of("target", "conformance", "redocly").toAbsolutePath());
    Path document = folder.resolve("openapi.yaml");
    Files.copy(Path.of(OpenApiLintTest.class.getResource("/openapi.yaml").toURI()), document,
      StandardCopyOption.REPLACE_EXISTING);
    Path config = folder.resolve("redocly.yaml");
    Files.copy(Path.of(OpenApiLintTest.class.getResource("/conformance/redocly.yaml").toURI()), config,
      StandardCopyOption.REPLACE_EXISTING);

    ThirdPartyTool.Run lint = ThirdPartyTool.run(Duration.ofMinutes(2), folder,
      Map.of("REDOCLY_TELEMETRY", "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE", "true"),
      modules.resolve(".bin").resolve("redocly").toString(), "lint", "--config", config.toString(),
      document.toString());
    assertThat(lint.exit()).as(lint.output()).isZero();
    assertThat(lint.output()).as(lint.output()).contains("Your API description is valid")
      .doesNotContainIgnoringCase("warning");
  }
}
