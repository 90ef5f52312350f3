package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

/**
 * The coordinator's answer to a {@link ReportBatch}: every report up to {@code ackSeq} is stored and may be dropped.
 * Two optional fields (older coordinators send neither, older agents ignore them) keep flow control apart from
 * storage: {@code takenSeq}, every report up to it was received and acted on (send the next ones, keep these until
 * {@code ackSeq} covers them); {@code retryAfterMs}, the batch was not taken because the coordinator's store is behind
 * (keep it, send it again after this long, on the same connection).
 */
public record ReportAck(long ackSeq, Long takenSeq, Long retryAfterMs) {

  public ReportAck(long ackSeq) {
    this(ackSeq, null, null);
  }

  /** Received and acted on up to {@code takenSeq}; stored up to {@code ackSeq}. */
  public static ReportAck taken(long ackSeq, long takenSeq) {
    return new ReportAck(ackSeq, takenSeq, null);
  }

  /** Not taken: the store is behind; send again after {@code retryAfterMs}. */
  public static ReportAck later(long ackSeq, long retryAfterMs) {
    return new ReportAck(ackSeq, null, retryAfterMs);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("ackSeq", ackSeq);
    if (takenSeq != null) {
      json.put("takenSeq", takenSeq);
    }
    if (retryAfterMs != null) {
      json.put("retryAfterMs", retryAfterMs);
    }
    return json;
  }

  public static ReportAck fromJson(JsonObject json) {
    return new ReportAck(Json.number(json, "ackSeq"), Json.optionalNumber(json, "takenSeq"),
      Json.optionalNumber(json, "retryAfterMs"));
  }
}
