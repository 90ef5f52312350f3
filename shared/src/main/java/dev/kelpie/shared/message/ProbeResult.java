package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;

/** One probe of one check on one agent. */
public record ProbeResult(String agentId, long seq, String checkId, Instant time, Outcome outcome, Duration latency,
                          String detail) implements Report {

  public static final String KIND = "result";

  public static ProbeResult up(String agentId, String checkId, Instant time, Duration latency, String detail) {
    return new ProbeResult(agentId, 0, checkId, time, Outcome.UP, latency, detail);
  }

  public static ProbeResult down(String agentId, String checkId, Instant time, Duration latency, String detail) {
    return new ProbeResult(agentId, 0, checkId, time, Outcome.DOWN, latency, detail);
  }

  public boolean up() {
    return outcome == Outcome.UP;
  }

  @Override
  public ProbeResult withSeq(long seq) {
    return new ProbeResult(agentId, seq, checkId, time, outcome, latency, detail);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject()
      .put("kind", KIND)
      .put("agentId", agentId)
      .put("seq", seq)
      .put("checkId", checkId)
      .put("time", time.toEpochMilli())
      .put("outcome", Json.wire(outcome))
      .put("latencyMs", latency.toMillis())
      .put("detail", detail);
  }

  public static ProbeResult fromJson(JsonObject json) {
    return new ProbeResult(
      Json.string(json, "agentId"),
      Json.number(json, "seq"),
      Json.string(json, "checkId"),
      Json.instant(json, "time"),
      Json.enumValue(json, "outcome", Outcome.class),
      Json.millis(json, "latencyMs"),
      Json.optionalString(json, "detail"));
  }
}
