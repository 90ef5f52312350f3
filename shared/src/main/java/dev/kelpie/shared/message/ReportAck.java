package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

/** The coordinator's answer to a {@link ReportBatch}: every report up to {@code ackSeq} is safe and may be dropped. */
public record ReportAck(long ackSeq) {

  public JsonObject toJson() {
    return new JsonObject().put("ackSeq", ackSeq);
  }

  public static ReportAck fromJson(JsonObject json) {
    return new ReportAck(Json.number(json, "ackSeq"));
  }
}
