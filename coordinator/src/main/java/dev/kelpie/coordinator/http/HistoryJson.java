package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.store.History;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** History records as the API shows them (openapi.yaml): instants in ISO-8601, every field present, null or not. */
final class HistoryJson {

  private HistoryJson() {
  }

  static JsonObject result(History.Result r) {
    return new JsonObject().put("seq", r.seq()).put("time", text(r.time())).put("outcome", r.up() ? "up" : "down")
      .put("latencyMs", r.latencyMs()).put("detail", r.detail());
  }

  static JsonObject bucket(History.Bucket b) {
    return new JsonObject().put("time", text(b.time())).put("count", b.count()).put("failures", b.failures())
      .put("meanLatencyMs", b.meanLatencyMs()).put("maxLatencyMs", b.maxLatencyMs());
  }

  static JsonObject transition(History.Transition t) {
    return new JsonObject().put("time", text(t.time())).put("from", t.from()).put("to", t.to())
      .put("reason", t.reason());
  }

  static JsonObject incident(History.Incident i) {
    return new JsonObject().put("id", i.id()).put("agentId", i.agentId()).put("host", i.host())
      .put("checkId", i.checkId()).put("openedAt", text(i.openedAt())).put("closedAt", text(i.closedAt()))
      .put("open", i.open()).put("reason", i.reason());
  }

  static JsonObject incident(History.IncidentTimeline found) {
    return incident(found.incident()).put("timeline", array(found.timeline(), HistoryJson::moment));
  }

  static JsonObject action(History.Action a) {
    JsonObject json = new JsonObject().put("commandId", a.commandId()).put("agentId", a.agentId()).put("service", a.service())
      .put("action", a.action()).put("reason", a.reason()).put("issuedBy", a.issuedBy())
      .put("issuedAt", text(a.issuedAt())).put("status", a.status()).put("detail", a.detail())
      .put("finishedAt", text(a.finishedAt())).put("durationMs", a.durationMs());
    return withEvidence(json, a.evidence());
  }

  /** A remediation's rows are kept with the evidence; shown as {@code remediation}, apart from a kill's evidence. */
  private static JsonObject withEvidence(JsonObject json, JsonObject evidence) {
    if (evidence == null) {
      return json;
    }
    JsonObject remediation = evidence.getJsonObject("remediation");
    return remediation != null && evidence.size() == 1 ? json.put("remediation", remediation)
      : json.put("evidence", evidence);
  }

  static JsonObject moment(History.Moment m) {
    JsonObject json = new JsonObject().put("time", text(m.time()))
      .put("kind", m.kind().name().toLowerCase(Locale.ROOT)).put("what", m.what()).put("why", m.why());
    if (m.by() != null) {
      json.put("by", m.by());
    }
    return withEvidence(json, m.evidence());
  }

  static <T> JsonArray array(List<T> items, Function<T, JsonObject> toJson) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(toJson.apply(item)));
    return array;
  }

  static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
