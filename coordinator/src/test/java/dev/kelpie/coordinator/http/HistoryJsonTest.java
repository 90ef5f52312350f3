package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.store.History;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The history API's items are a public contract: these are the exact bytes served before the store had records. */
class HistoryJsonTest {

  private static final Instant AT = Instant.parse("2026-06-01T12:00:00.250Z");
  private static final Instant LATER = Instant.parse("2026-06-01T12:05:00Z");

  @Test
  @DisplayName("a result shows its sequence, time, outcome, latency and detail, a missing detail as null")
  void result() {
    assertThat(HistoryJson.result(new History.Result(3, AT, false, 42, null)).encode())
      .isEqualTo("{\"seq\":3,\"time\":\"2026-06-01T12:00:00.250Z\",\"outcome\":\"down\",\"latencyMs\":42,"
        + "\"detail\":null}");
    assertThat(HistoryJson.result(new History.Result(4, LATER, true, 0, "200 OK")).encode())
      .isEqualTo("{\"seq\":4,\"time\":\"2026-06-01T12:05:00Z\",\"outcome\":\"up\",\"latencyMs\":0,"
        + "\"detail\":\"200 OK\"}");
  }

  @Test
  @DisplayName("a bucket shows its start, count, failures, mean latency (a decimal) and max latency")
  void bucket() {
    assertThat(HistoryJson.bucket(new History.Bucket(LATER, 3, 1, 30.0, 60)).encode())
      .isEqualTo("{\"time\":\"2026-06-01T12:05:00Z\",\"count\":3,\"failures\":1,\"meanLatencyMs\":30.0,"
        + "\"maxLatencyMs\":60}");
  }

  @Test
  @DisplayName("a transition shows its time, the states from and to, and why")
  void transition() {
    assertThat(HistoryJson.transition(new History.Transition(AT, "failing", "unhealthy", null)).encode())
      .isEqualTo("{\"time\":\"2026-06-01T12:00:00.250Z\",\"from\":\"failing\",\"to\":\"unhealthy\",\"reason\":null}");
  }

  @Test
  @DisplayName("an incident shows whether it is open; one read alone carries its timeline, oldest first")
  void incident() {
    History.Incident open = new History.Incident("i1", "a", null, "c", AT, null, "3 failures");
    History.Incident closed = new History.Incident("i2", "a", "h1", "c", AT, LATER, "recovered");

    assertThat(HistoryJson.incident(open).encode()).isEqualTo("{\"id\":\"i1\",\"agentId\":\"a\",\"host\":null,"
      + "\"checkId\":\"c\",\"openedAt\":\"2026-06-01T12:00:00.250Z\",\"closedAt\":null,\"open\":true,"
      + "\"reason\":\"3 failures\"}");
    assertThat(HistoryJson.incident(new History.IncidentTimeline(closed, List.of(
      new History.Moment(AT, History.Kind.TRANSITION, "failing -> unhealthy", "3 failures"),
      new History.Moment(LATER, History.Kind.ACTION, "restart done", null)))).encode())
      .isEqualTo("{\"id\":\"i2\",\"agentId\":\"a\",\"host\":\"h1\",\"checkId\":\"c\","
        + "\"openedAt\":\"2026-06-01T12:00:00.250Z\",\"closedAt\":\"2026-06-01T12:05:00Z\",\"open\":false,"
        + "\"reason\":\"recovered\",\"timeline\":["
        + "{\"time\":\"2026-06-01T12:00:00.250Z\",\"kind\":\"transition\",\"what\":\"failing -> unhealthy\","
        + "\"why\":\"3 failures\"},"
        + "{\"time\":\"2026-06-01T12:05:00Z\",\"kind\":\"action\",\"what\":\"restart done\",\"why\":null}]}");
  }

  @Test
  @DisplayName("a remediation shows its rows apart from a kill's evidence, and a timeline's action who ordered it")
  void remediation() {
    io.vertx.core.json.JsonObject rows = new io.vertx.core.json.JsonObject().put("dryRun", false).put("count", 2)
      .put("ids", new io.vertx.core.json.JsonArray().add("1").add("6"));
    io.vertx.core.json.JsonObject kept = new io.vertx.core.json.JsonObject().put("remediation", rows);
    io.vertx.core.json.JsonObject action = HistoryJson.action(new History.Action("k1", "a", "jobs", "remediate",
      "operator olga: drained", "olga", AT, "done", "2 rows changed: 1, 6", LATER, 20L, kept));
    assertThat(action.getJsonObject("remediation")).isEqualTo(rows);
    assertThat(action.containsKey("evidence")).isFalse();
    io.vertx.core.json.JsonObject moment = HistoryJson.moment(new History.Moment(AT, History.Kind.ACTION,
      "remediate done", "2 rows changed: 1, 6", kept, "olga"));
    assertThat(moment.getString("by")).isEqualTo("olga");
    assertThat(moment.getJsonObject("remediation")).isEqualTo(rows);
  }

  @Test
  @DisplayName("an action shows its issue and its answer, the missing half as nulls")
  void action() {
    assertThat(HistoryJson.action(new History.Action("k1", "a", "web", "restart", "3 failures", "demo-http", AT,
      null, null, null, null)).encode()).isEqualTo("{\"commandId\":\"k1\",\"agentId\":\"a\",\"service\":\"web\","
      + "\"action\":\"restart\",\"reason\":\"3 failures\",\"issuedBy\":\"demo-http\","
      + "\"issuedAt\":\"2026-06-01T12:00:00.250Z\",\"status\":null,\"detail\":null,\"finishedAt\":null,"
      + "\"durationMs\":null}");
    assertThat(HistoryJson.action(new History.Action("k2", "a", null, "silence", null, null, null, "done", "ok",
      LATER, 120L)).encode()).isEqualTo("{\"commandId\":\"k2\",\"agentId\":\"a\",\"service\":null,"
      + "\"action\":\"silence\",\"reason\":null,\"issuedBy\":null,\"issuedAt\":null,\"status\":\"done\","
      + "\"detail\":\"ok\",\"finishedAt\":\"2026-06-01T12:05:00Z\",\"durationMs\":120}");
  }
}
