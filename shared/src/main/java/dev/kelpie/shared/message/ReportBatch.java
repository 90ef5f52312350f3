package dev.kelpie.shared.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reports in sequence order, as one bridge frame. {@code sentAt} is the agent's clock when sending, so the
 * coordinator can tell how old a replayed report is without trusting the two clocks to agree. {@code vitals}
 * (optional; null from older agents, ignored by older coordinators) is a keepalive riding the batch, sent by an agent
 * whose coordinator said it takes them ({@link HelloReply#vitalsInBatches}) instead of a keepalive frame of its own.
 */
public record ReportBatch(String agentId, Instant sentAt, List<Report> reports, Keepalive vitals) {

  public ReportBatch(String agentId, Instant sentAt, List<Report> reports) {
    this(agentId, sentAt, reports, null);
  }

  public JsonObject toJson() {
    JsonArray items = new JsonArray(new ArrayList<>(reports.size()));
    for (Report report : reports) {
      items.add(report.toJson());
    }
    JsonObject json = new JsonObject().put("agentId", agentId).put("sentAt", sentAt.toEpochMilli()).put("reports", items);
    if (vitals != null) {
      json.put("vitals", vitals.toJson());
    }
    return json;
  }

  public static ReportBatch fromJson(JsonObject json) {
    String agentId = Json.string(json, "agentId");
    JsonArray items = Json.array(json, "reports");
    List<Report> reports = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = Json.element(items, "reports", i);
      int index = i;
      Report report = Json.nested("reports[" + index + "]", () -> Report.fromJson(item));
      if (!report.agentId().equals(agentId)) {
        throw new MessageFormatException("reports[" + i + "].agentId",
          "report of agent '" + report.agentId() + "' in a batch of agent '" + agentId + "'");
      }
      reports.add(report);
    }
    Keepalive vitals = json.getValue("vitals") == null ? null
      : Json.nested("vitals", () -> Keepalive.fromJson(Json.object(json, "vitals")));
    return new ReportBatch(agentId, Json.instant(json, "sentAt"), Collections.unmodifiableList(reports), vitals);
  }
}
