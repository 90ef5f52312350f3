package dev.kelpie.coordinator.alert;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One notification to one receiver, carrying the alerts grouped into it, and where its delivery stands. Its id is
 * the idempotency key every try carries.
 */
public record Delivery(String id, String receiver, Instant createdAt, JsonArray alerts, State state, int attempts,
                       Instant nextAt, String lastError, Instant finishedAt) {

  public enum State { PENDING, DELIVERED, DEAD }

  public static Delivery create(String id, String receiver, Instant now, JsonArray alerts) {
    return new Delivery(id, receiver, now, alerts, State.PENDING, 0, now, null, null);
  }

  public Delivery delivered(Instant now) {
    return new Delivery(id, receiver, createdAt, alerts, State.DELIVERED, attempts + 1, null, null, now);
  }

  public Delivery failed(String error, Instant nextTry) {
    return new Delivery(id, receiver, createdAt, alerts, State.PENDING, attempts + 1, nextTry, error, null);
  }

  public Delivery dead(String error, Instant now) {
    return new Delivery(id, receiver, createdAt, alerts, State.DEAD, attempts + 1, null, error, now);
  }

  /** What the API shows: everything but the bodies' rendering (and never a secret: none is kept here). */
  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("receiver", receiver)
      .put("createdAt", createdAt.toString())
      .put("state", state.name().toLowerCase())
      .put("attempts", attempts)
      .put("nextAt", nextAt == null ? null : nextAt.toString())
      .put("lastError", lastError)
      .put("finishedAt", finishedAt == null ? null : finishedAt.toString())
      .put("alerts", alerts);
  }
}
