package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;

/**
 * The coordinator's answer to an {@link AgentHello}: its epoch (commands from older epochs are refused) and the last
 * sequence number it already holds for this agent, so the agent replays only what is missing. {@code memory} (optional,
 * empty from older coordinators) is each check's policy memory, so the agent that is left alone later goes on with
 * the same budget. {@code vitalsInBatches} (optional, false from older coordinators): the coordinator takes a
 * {@link ReportBatch#vitals} as a keepalive, so the agent may leave out keepalive frames while its batches flow.
 * {@code batchWindowMs} (optional, absent from older coordinators and from any that is not overloaded; 0 here): the
 * coordinator advises its agents to let routine reports linger this long, so fewer frames come; each
 * {@link ReportAck} carries the advice of the moment.
 */
public record HelloReply(long epoch, long lastSeq, Map<String, CheckMemory> memory, boolean vitalsInBatches,
                         long batchWindowMs) {

  public HelloReply {
    memory = memory == null ? Map.of() : Map.copyOf(memory);
    batchWindowMs = Math.max(0, batchWindowMs);
  }

  public HelloReply(long epoch, long lastSeq, Map<String, CheckMemory> memory, boolean vitalsInBatches) {
    this(epoch, lastSeq, memory, vitalsInBatches, 0);
  }

  public HelloReply(long epoch, long lastSeq, Map<String, CheckMemory> memory) {
    this(epoch, lastSeq, memory, false);
  }

  public HelloReply(long epoch, long lastSeq) {
    this(epoch, lastSeq, Map.of());
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("epoch", epoch).put("lastSeq", lastSeq);
    if (!memory.isEmpty()) {
      json.put("memory", CheckMemoryJson.toJson(memory));
    }
    if (vitalsInBatches) {
      json.put("vitalsInBatches", true);
    }
    if (batchWindowMs > 0) {
      json.put("batchWindowMs", batchWindowMs);
    }
    return json;
  }

  public static HelloReply fromJson(JsonObject json) {
    return new HelloReply(Json.number(json, "epoch"), Json.number(json, "lastSeq"),
      CheckMemoryJson.byCheck(json, "memory"), Boolean.TRUE.equals(json.getValue("vitalsInBatches")),
      Objects.requireNonNullElse(Json.optionalNumber(json, "batchWindowMs"), 0L));
  }
}
