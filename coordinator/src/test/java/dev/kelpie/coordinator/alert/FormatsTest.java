package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.config.AlertSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The receivers' formats, from one delivery: Slack text through a template, PagerDuty events with dedup keys. */
class FormatsTest {

  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  private static AlertSettings.Receiver receiver(AlertSettings.Format format, String template) {
    return new AlertSettings.Receiver("r", format, URI.create("https://example.com/x"), "0123456789abcdef",
      format == AlertSettings.Format.PAGERDUTY ? "KEY" : null, Duration.ofSeconds(1), 1, template);
  }

  private static JsonObject alert(String kind, String status, String incident) {
    return new JsonObject().put("id", kind).put("kind", kind).put("status", status).put("severity", "warning")
      .put("incidentId", incident).put("agentId", "a1").put("host", "web-1").put("checkId", "http")
      .put("service", "shop").put("summary", "http on web-1 " + kind);
  }

  @Test
  @DisplayName("Slack: one message, a line per alert shaped by the receiver's template")
  void slack() {
    Delivery delivery = Delivery.create("d1", "r", NOW, new JsonArray()
      .add(alert("incident_opened", "firing", "i1")).add(alert("recovered", "resolved", "i1")));
    List<String> bodies = new Formats(receiver(AlertSettings.Format.SLACK, "{{host}}/{{check}}: {{kind}}"), 5)
      .bodies(delivery, NOW);
    assertThat(bodies).singleElement().satisfies(body -> assertThat(new JsonObject(body).getString("text"))
      .isEqualTo("web-1/http: incident_opened\nweb-1/http: recovered"));
  }

  @Test
  @DisplayName("PagerDuty: trigger and resolve events deduplicated by incident, the routing key in each")
  void pagerDuty() {
    Delivery delivery = Delivery.create("d1", "r", NOW, new JsonArray()
      .add(alert("incident_opened", "firing", "i1")).add(alert("recovered", "resolved", "i1")));
    List<JsonObject> events = new Formats(receiver(AlertSettings.Format.PAGERDUTY, null), 5).bodies(delivery, NOW)
      .stream().map(JsonObject::new).toList();
    assertThat(events).extracting(e -> e.getString("event_action")).containsExactly("trigger", "resolve");
    assertThat(events).extracting(e -> e.getString("dedup_key")).containsOnly("kelpie-i1");
    assertThat(events.get(0).getJsonObject("payload").getString("source")).isEqualTo("web-1");
    assertThat(events.get(0).getJsonObject("payload").getString("summary")).isEqualTo(
      "🟠 [warning] http on web-1 incident_opened");
    assertThat(events).allSatisfy(e -> assertThat(e.getString("routing_key")).isEqualTo("KEY"));
  }
}
