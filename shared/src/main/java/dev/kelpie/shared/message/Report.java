package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Something an agent tells the coordinator, numbered by the agent's own sequence so a replay after reconnect
 * can be recognised and dropped.
 */
public sealed interface Report permits ProbeResult, ProcessEvent, CommandResult {

  String agentId();

  long seq();

  Instant time();

  /** The same report with its sequence number set; the uplink numbers reports as they enter its outbox. */
  Report withSeq(long seq);

  JsonObject toJson();

  static Report fromJson(JsonObject json) {
    String kind = Json.string(json, "kind");
    return switch (kind) {
      case ProbeResult.KIND -> ProbeResult.fromJson(json);
      case ProcessEvent.KIND -> ProcessEvent.fromJson(json);
      case CommandResult.KIND -> CommandResult.fromJson(json);
      default -> throw new MessageFormatException("kind", "unknown report kind '" + kind + "'");
    };
  }
}
