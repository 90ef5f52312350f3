package dev.kelpie.shared.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reports in sequence order, as one bridge frame. {@code sentAt} is the agent's clock when sending, so the
 * coordinator can tell how old a replayed report is without trusting the two clocks to agree.
 */
public record ReportBatch(String agentId, Instant sentAt, List<Report> reports) {

  public JsonObject toJson() {
    JsonArray items = new JsonArray(new ArrayList<>(reports.size()));
    for (Report report : reports) {
      items.add(report.toJson());
    }
    return new JsonObject().put("agentId", agentId).put("sentAt", sentAt.toEpochMilli()).put("reports", items);
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
    return new ReportBatch(agentId, Json.instant(json, "sentAt"), Collections.unmodifiableList(reports));
  }
}
