package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An HTTP check that reads a JSON health body and says which named condition failed. */
class HealthConditionsTest {

  private static final Map<String, JsonObject> BODIES = Map.of(
    "/ok", new JsonObject("{\"checks\":{\"db\":{\"status\":\"up\"},\"queue\":{\"depth\":3,\"lag\":[0,1]}}}"),
    "/db-down", new JsonObject("{\"checks\":{\"db\":{\"status\":\"down\"},\"queue\":{\"depth\":3}}}"),
    "/actuator", new JsonObject("{\"status\":\"DOWN\",\"checks\":{\"db\":{\"status\":\"down\"},\"queue\":{}}}"),
    "/empty", new JsonObject());

  private final Vertx serverVertx = Vertx.vertx();
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
    serverVertx.close().await();
  }

  @Test
  @DisplayName("a 200 whose body says the database is down fails with the condition's name and value in the detail")
  void namedConditions() {
    int port = serverVertx.createHttpServer().requestHandler(request -> {
      String path = request.path();
      if (path.equals("/text")) {
        request.response().end("all good, honest");
      } else {
        request.response().setStatusCode(path.equals("/actuator") ? 503 : 200)
          .putHeader("content-type", "application/json").end(BODIES.get(path).encode());
      }
    }).listen(0, "127.0.0.1").await().actualPort();
    String conditions = ", conditions: {db: '$.checks.db.status == \"up\"', "
      + "queue: '/checks/queue/depth == 3.0', lag: \"$.checks.queue.lag[1] != 5\"}}\n";
    harness = new ProbeHarness("checks:\n"
      + check("ok", port, "/ok") + conditions
      + check("db-down", port, "/db-down") + ", conditions: {db: '$.checks.db.status == \"up\"'}}\n"
      + check("actuator", port, "/actuator") + ", conditions: {db: '$[\"checks\"].db.status == \"up\"'}}\n"
      + check("empty", port, "/empty") + ", conditions: {db: '$.checks.db.status == \"up\"'}}\n"
      + check("text", port, "/text") + ", conditions: {db: '$.checks.db.status == \"up\"'}}\n");

    assertThat(first("ok").detail()).isEqualTo("HTTP 200");
    assertThat(first("db-down")).satisfies(r -> {
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).isEqualTo("db: down (expected up); HTTP 200");
    });
    assertThat(first("actuator").detail()).isEqualTo("db: down (expected up); HTTP 503, expected 200");
    assertThat(first("empty").detail()).isEqualTo("db: missing (/checks/db/status); HTTP 200");
    assertThat(first("text").detail()).isEqualTo("body is not JSON, conditions not judged; HTTP 200");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
    $.checks.db.status == "up"            | /checks/db/status | true  | up
    /checks/db/status != "down"           | /checks/db/status | false | down
    $.items[2].ok == true                 | /items/2/ok       | true  | true
    $['a/b'].c == 1                       | /a~1b/c           | true  | 1
    $ == null                             | ``                | true  |
    """)
  @DisplayName("conditions are read as JSONPath or JSON Pointer with a JSON value")
  void parsed(String text, String pointer, boolean equal, String expected) {
    HealthCondition condition = HealthCondition.parse("c", text).condition();
    assertThat(condition.path()).isEqualTo(pointer == null ? "" : pointer);
    assertThat(condition.equal()).isEqualTo(equal);
    assertThat(String.valueOf(condition.expected())).isEqualTo(String.valueOf(expected));
  }

  private ProbeResult first(String checkId) {
    return harness.await(checkId, 1).get(0);
  }

  private static String check(String id, int port, String path) {
    return "  - {id: " + id + ", type: http, url: \"http://127.0.0.1:" + port + path + "\", interval: 1s, timeout: 10s";
  }
}
