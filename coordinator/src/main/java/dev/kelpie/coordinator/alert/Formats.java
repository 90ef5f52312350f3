package dev.kelpie.coordinator.alert;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.kelpie.coordinator.config.AlertSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a delivery into the request bodies its receiver understands: Kelpie's own JSON (version
 * {@value #VERSION}, one request), Slack's incoming-webhook text (one request), or PagerDuty Events v2 (one
 * request per event, deduplicated by incident). When incidents open on many hosts at once, the notification is one
 * fleet-level alert rather than one per host.
 */
final class Formats {

  static final String VERSION = "kelpie.alert/v1";
  static final String DEFAULT_TEMPLATE = "{{icon}} [{{severity}}] {{summary}}";
  private static final int LINES_SHOWN = 20;

  private final AlertSettings.Receiver receiver;
  private final Template template;
  private final int fleetThreshold;

  Formats(AlertSettings.Receiver receiver, int fleetThreshold) {
    this.receiver = receiver;
    this.fleetThreshold = fleetThreshold;
    this.template = Mustache.compiler().defaultValue("").escapeHTML(false)
      .compile(receiver.template() == null ? DEFAULT_TEMPLATE : receiver.template());
  }

  /** The bodies to send, in order; each needs a 2xx for the delivery to count as delivered. */
  List<String> bodies(Delivery delivery, Instant now) {
    JsonObject fleet = fleet(delivery.alerts());
    return switch (receiver.format()) {
      case WEBHOOK -> List.of(new JsonObject()
        .put("version", VERSION)
        .put("deliveryId", delivery.id())
        .put("receiver", receiver.name())
        .put("sentAt", now.toString())
        .put("fleet", fleet)
        .put("text", text(delivery.alerts(), fleet))
        .put("alerts", delivery.alerts()).encode());
      case SLACK -> List.of(new JsonObject().put("text", text(delivery.alerts(), fleet)).encode());
      case PAGERDUTY -> pagerDuty(delivery, fleet);
    };
  }

  /** A fleet-level summary when incidents opened on {@code fleetThreshold} hosts or more, else null. */
  JsonObject fleet(JsonArray alerts) {
    Set<String> hosts = new LinkedHashSet<>();
    int checks = 0;
    for (JsonObject alert : objects(alerts)) {
      if ("incident_opened".equals(alert.getString("kind"))) {
        hosts.add(alert.getString("host"));
        checks++;
      }
    }
    if (hosts.size() < fleetThreshold) {
      return null;
    }
    return new JsonObject()
      .put("hosts", hosts.size())
      .put("checks", checks)
      .put("summary", "fleet: " + checks + " checks failing on " + hosts.size() + " hosts at once ("
        + String.join(", ", hosts.stream().limit(5).toList()) + (hosts.size() > 5 ? ", ..." : "") + ")");
  }

  String line(JsonObject alert) {
    Map<String, Object> context = alert.getMap();
    context.put("icon", "resolved".equals(alert.getString("status")) ? "✅"
      : "critical".equals(alert.getString("severity")) ? "🔴" : "🟠");
    context.put("check", alert.getString("checkId"));
    return template.execute(context);
  }

  private String text(JsonArray alerts, JsonObject fleet) {
    StringBuilder text = new StringBuilder();
    if (fleet != null) {
      text.append("🔥 ").append(fleet.getString("summary")).append('\n');
    }
    List<JsonObject> all = objects(alerts);
    all.stream().limit(LINES_SHOWN).forEach(alert -> text.append(line(alert.copy())).append('\n'));
    if (all.size() > LINES_SHOWN) {
      text.append("... and ").append(all.size() - LINES_SHOWN).append(" more\n");
    }
    return text.toString().stripTrailing();
  }

  private List<String> pagerDuty(Delivery delivery, JsonObject fleet) {
    List<String> events = new ArrayList<>();
    if (fleet != null) {
      events.add(pdEvent("trigger", "kelpie-fleet-" + delivery.id(), fleet.getString("summary"), "kelpie",
        "critical", new JsonObject().put("fleet", fleet)));
    }
    for (JsonObject alert : objects(delivery.alerts())) {
      if (fleet != null && "incident_opened".equals(alert.getString("kind"))) {
        continue;
      }
      String key = alert.getString("incidentId") != null ? "kelpie-" + alert.getString("incidentId")
        : "kelpie-agent-" + alert.getString("agentId");
      String action = "resolved".equals(alert.getString("status")) ? "resolve" : "trigger";
      events.add(pdEvent(action, key, line(alert.copy()), alert.getString("host"), alert.getString("severity"),
        alert));
    }
    return events;
  }

  private String pdEvent(String action, String dedupKey, String summary, String source, String severity,
                         JsonObject details) {
    JsonObject event = new JsonObject()
      .put("routing_key", receiver.routingKey())
      .put("event_action", action)
      .put("dedup_key", dedupKey);
    if (!"resolve".equals(action)) {
      event.put("payload", new JsonObject()
        .put("summary", summary.length() > 1024 ? summary.substring(0, 1024) : summary)
        .put("source", source)
        .put("severity", severity)
        .put("component", details.getString("checkId"))
        .put("group", details.getString("service"))
        .put("class", details.getString("kind"))
        .put("custom_details", details));
    }
    return event.encode();
  }

  private static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> list = new ArrayList<>();
    array.forEach(item -> list.add((JsonObject) item));
    return list;
  }
}
