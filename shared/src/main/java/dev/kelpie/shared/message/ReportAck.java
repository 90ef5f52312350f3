package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The coordinator's answer to a {@link ReportBatch}: every report up to {@code ackSeq} is safe and may be dropped.
 * {@code memory} (optional) is the policy memory of the checks the batch changed, so the agent keeps the budget it
 * would go on with if the coordinator went away.
 */
public record ReportAck(long ackSeq, Map<String, CheckMemory> memory) {

  public ReportAck {
    memory = memory == null ? Map.of() : Map.copyOf(memory);
  }

  public ReportAck(long ackSeq) {
    this(ackSeq, Map.of());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("ackSeq", ackSeq);
    if (!memory.isEmpty()) {
      json.put("memory", CheckMemoryJson.toJson(memory));
    }
    return json;
  }

  public static ReportAck fromJson(JsonObject json) {
    return new ReportAck(Json.number(json, "ackSeq"), CheckMemoryJson.byCheck(json, "memory"));
  }
}
