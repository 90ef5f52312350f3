package dev.kelpie.coordinator.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The judge of the end-to-end tests' responses can say no: an undeclared field, a status the operation does not
 * declare, a wrong type or a missing required field each fail, so a change that breaks the API's contract fails
 * the build. The document is the one the coordinator serves (its resource, openapi.yaml).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiContractTest {

  private static final String JSON = "application/json";
  private static final String AGENT = "{\"agentId\":\"a\",\"connected\":true,\"lost\":false,\"services\":[]}";

  private ApiContract contract;

  @BeforeAll
  void load() throws Exception {
    try (var document = ApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
      contract = ApiContract.served(new String(document.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  void close() {
    contract.close();
  }

  @Test
  @DisplayName("a response as the document describes it passes")
  void conformingPasses() {
    contract.check("GET", "/api/agents", 200, JSON, "{\"agents\":[" + AGENT + "]}");
    contract.check("GET", "/api/agents", 401, JSON, "{\"status\":401,\"code\":\"unauthenticated\",\"message\":\"x\"}");
    contract.check("POST", "/api/session", 403, JSON, "{\"status\":403,\"code\":\"csrf\",\"message\":\"x\"}");
    assertThat(contract.checked()).contains("listAgents 200", "listAgents 401", "login 403");
  }

  @Test
  @DisplayName("an undeclared field, an undeclared status, a wrong type and a missing field each fail")
  void breachesFail() {
    assertThatThrownBy(() -> contract.check("GET", "/api/agents", 200, JSON,
      "{\"agents\":[" + AGENT.replace("}", ",\"surprise\":1}") + "]}"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("listAgents");
    assertThatThrownBy(() -> contract.check("GET", "/api/agents", 418, JSON, "{}"))
      .isInstanceOf(AssertionError.class).hasMessageContaining("418");
    assertThatThrownBy(() -> contract.check("GET", "/api/agents", 200, JSON,
      "{\"agents\":[" + AGENT.replace("true", "\"yes\"") + "]}")).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> contract.check("GET", "/api/incidents", 200, JSON, "{\"items\":[]}"))
      .as("next is required").isInstanceOf(AssertionError.class);
  }
}
