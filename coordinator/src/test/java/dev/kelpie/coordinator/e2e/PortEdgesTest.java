package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each router on the coordinator's one port promises, seen from outside: the dashboard's headers, the API's
 * error codes for each kind of failure (a bad parameter, a bad body, a missing CSRF token, a body too large, an
 * unknown path), and the open probes. A coordinator with no agent is enough for all of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortEdgesTest {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Fleet fleet;

  @BeforeAll
  void start() throws Exception {
    fleet = new Fleet();
    fleet.startCoordinator();
  }

  @AfterAll
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("the page is never cached, never framed, and may run only this origin's scripts")
  void dashboardHeaders() throws Exception {
    HttpResponse<String> page = send(HttpRequest.newBuilder(uri("/")).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type)
      .startsWith("text/html"));
    assertThat(page.headers().firstValue("cache-control")).hasValue("no-cache");
    assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
    assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(csp -> assertThat(csp)
      .contains("default-src 'self'").contains("frame-ancestors 'none'").contains("img-src 'self' data:"));

    HttpResponse<String> script = send(HttpRequest.newBuilder(uri("/ui/app.js")).GET());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("cache-control")).hasValueSatisfying(cache -> assertThat(cache)
      .contains("max-age=60"));
    assertThat(script.headers().firstValue("content-security-policy")).isPresent();
    assertThat(script.headers().firstValue("x-frame-options")).hasValue("DENY");
  }

  @Test
  @DisplayName("a bad parameter is bad_parameter and a bad body bad_request, whatever the validator's words")
  void validationFailuresByKind() {
    assertThat(problem(fleet.get("/api/incidents?limit=5000"), 400)).isEqualTo("bad_parameter");
    assertThat(problem(fleet.get("/api/agents/bad%20id"), 400)).isEqualTo("bad_parameter");
    assertThat(problem(fleet.send("POST", "/api/agents/some-host/services/demo/reboot", null), 400))
      .isEqualTo("bad_parameter");
    assertThat(problem(fleet.send("POST", "/api/agents/some-host/services/demo/reboot", "{\"reason\":\"x\"}"), 400))
      .as("a bad path parameter, though the request also has a body").isEqualTo("bad_parameter");
    assertThat(problem(fleet.send("POST", "/api/agents/some-host/silence", "{\"duration\":\"1h\",\"x\":1}"), 400))
      .isEqualTo("bad_request");
    assertThat(problem(fleet.send("POST", "/api/agents/some-host/silence", "{}"), 400)).isEqualTo("bad_request");
    assertThat(problem(fleet.send("POST", "/api/agents/some-host/silence", "{not json"), 400))
      .isEqualTo("bad_request");
  }

  @Test
  @DisplayName("a body over 64 KB is too_large, an unknown path not_found, a cookie request without its token csrf")
  void otherFailures() throws Exception {
    String huge = "{\"reason\":\"" + "x".repeat(70 * 1024) + "\"}";
    assertThat(problem(fleet.send("POST", "/api/agents/some-host/services/demo/restart", huge), 413))
      .isEqualTo("too_large");
    assertThat(problem(fleet.get("/api/no/such/thing"), 404)).isEqualTo("not_found");
    HttpResponse<String> anonymousPost = send(HttpRequest.newBuilder(uri("/api/agents/some-host/silence"))
      .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"duration\":\"1h\"}")));
    assertThat(problem(anonymousPost, 403)).isEqualTo("csrf");
    HttpResponse<String> wrongScheme = send(HttpRequest.newBuilder(uri("/api/checks"))
      .header("Authorization", "Basic b2xnYTpvbGdh").GET());
    assertThat(problem(wrongScheme, 401)).isEqualTo("unauthenticated");
  }

  @Test
  @DisplayName("metrics, health and readiness need no credentials")
  void openProbes() throws Exception {
    assertThat(send(HttpRequest.newBuilder(uri("/metrics")).GET()).body()).contains("kelpie_agents_connected");
    assertThat(new JsonObject(send(HttpRequest.newBuilder(uri("/health")).GET()).body()).getString("status"))
      .isEqualTo("up");
    JsonObject ready = new JsonObject(send(HttpRequest.newBuilder(uri("/ready")).GET()).body());
    assertThat(ready.getJsonObject("dependencies").getJsonObject("gateway").getString("state")).isEqualTo("up");
  }

  private URI uri(String path) {
    return URI.create(fleet.baseUrl() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The API's one error shape: asserts it and the status, and returns the code. */
  private static String problem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("message")).isNotBlank();
    return body.getString("code");
  }
}
