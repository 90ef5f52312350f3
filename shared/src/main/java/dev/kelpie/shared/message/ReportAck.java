package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The coordinator's answer to a {@link ReportBatch}: every report up to {@code ackSeq} is stored and may be dropped.
 * Three optional fields (older coordinators send none, older agents ignore them) keep flow control apart from
 * storage and hand the budget over: {@code takenSeq}, every report up to it was received and acted on (send the next
 * ones, keep these until {@code ackSeq} covers them); {@code retryAfterMs}, the batch was not taken because the
 * coordinator's store is behind (keep it, send it again after this long, on the same connection); {@code memory}, the
 * policy memory of the checks the batch changed, so the agent keeps the budget it would go on with if the coordinator
 * went away. A fourth, {@code batchWindowMs}, is the coordinator's advice: it is overloaded, and its agents should let
 * routine reports linger this long so fewer frames come (null: no advice, the agent's own window; see
 * {@link HelloReply}).
 */
public record ReportAck(long ackSeq, Long takenSeq, Long retryAfterMs, Map<String, CheckMemory> memory,
                        Long batchWindowMs) {

  public ReportAck {
    memory = memory == null ? Map.of() : Map.copyOf(memory);
    batchWindowMs = batchWindowMs == null || batchWindowMs <= 0 ? null : batchWindowMs;
  }

  public ReportAck(long ackSeq, Long takenSeq, Long retryAfterMs, Map<String, CheckMemory> memory) {
    this(ackSeq, takenSeq, retryAfterMs, memory, null);
  }

  public ReportAck(long ackSeq) {
    this(ackSeq, null, null, Map.of());
  }

  public ReportAck(long ackSeq, Map<String, CheckMemory> memory) {
    this(ackSeq, null, null, memory);
  }

  /** Received and acted on up to {@code takenSeq}; stored up to {@code ackSeq}. */
  public static ReportAck taken(long ackSeq, long takenSeq, Map<String, CheckMemory> memory) {
    return new ReportAck(ackSeq, takenSeq, null, memory);
  }

  /** Not taken: the store is behind; send again after {@code retryAfterMs}. */
  public static ReportAck later(long ackSeq, long retryAfterMs) {
    return new ReportAck(ackSeq, null, retryAfterMs, Map.of());
  }

  /** The same answer with the coordinator's advised batch window ({@code 0}: none). */
  public ReportAck advising(long batchWindowMs) {
    return new ReportAck(ackSeq, takenSeq, retryAfterMs, memory, batchWindowMs);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("ackSeq", ackSeq);
    if (takenSeq != null) {
      json.put("takenSeq", takenSeq);
    }
    if (retryAfterMs != null) {
      json.put("retryAfterMs", retryAfterMs);
    }
    if (!memory.isEmpty()) {
      json.put("memory", CheckMemoryJson.toJson(memory));
    }
    if (batchWindowMs != null) {
      json.put("batchWindowMs", batchWindowMs);
    }
    return json;
  }

  public static ReportAck fromJson(JsonObject json) {
    return new ReportAck(Json.number(json, "ackSeq"), Json.optionalNumber(json, "takenSeq"),
      Json.optionalNumber(json, "retryAfterMs"), CheckMemoryJson.byCheck(json, "memory"),
      Json.optionalNumber(json, "batchWindowMs"));
  }
}
