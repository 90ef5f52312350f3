package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Where the coordinator keeps its history: PostgreSQL, or memory when no database is configured. Writes are
 * idempotent (a replayed fact is stored once); queries page backwards in time with {@code before}.
 */
public interface Store {

  /** What a restarted coordinator needs before it acts again. */
  record Restored(Map<String, Facts.AgentRecord> agents, Map<String, Facts.CheckRecord> checks,
                  Map<String, Facts.Incident> openIncidents, List<Facts.Action> pendingActions,
                  List<Facts.Silence> silences) {
  }

  /** A page request: newest first, at most {@code limit}, older than {@code before} when set. */
  record Page(Instant from, Instant to, int limit, Instant before) {
  }

  String kind();

  /** Prepares the store (migrations) and opens a new coordinator epoch, greater than every earlier one. */
  Future<Long> open(long proposedEpoch);

  Future<Restored> restore();

  /** Writes all the facts in one transaction, or none of them. */
  Future<Void> write(Facts facts);

  Future<Void> ping();

  /** The alert outbox, kept where the alerts are (they are written with the facts that raise them). */
  AlertOutbox outbox();

  Future<JsonArray> results(String agentId, String checkId, Page page);

  /** Results of a long range summed per bucket: count, failures, mean and max latency. */
  Future<JsonArray> resultBuckets(String agentId, String checkId, Instant from, Instant to, Duration bucket);

  Future<JsonArray> transitions(String agentId, String checkId, Page page);

  /** {@code open}: true for open incidents only, false for closed only, null for both. Null filters match all. */
  Future<JsonArray> incidents(String host, String agentId, String checkId, Boolean open, Page page);

  Future<JsonArray> actions(String agentId, String service, Page page);

  /** One incident with its timeline (transitions and actions of its check while it was open), or null. */
  Future<JsonObject> incident(String id);

  /** Deletes raw results older than the cutoffs (successes and failures apart); returns how many. */
  Future<Long> purge(Instant successesBefore, Instant failuresBefore);

  Future<Void> close();

  static JsonObject row(Object... keysAndValues) {
    JsonObject json = new JsonObject();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      Object value = keysAndValues[i + 1];
      json.put((String) keysAndValues[i], value instanceof Instant at ? at.toString() : value);
    }
    return json;
  }
}
