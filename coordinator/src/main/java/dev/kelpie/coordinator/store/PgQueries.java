package dev.kelpie.coordinator.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import static dev.kelpie.coordinator.store.PgStore.instant;
import static dev.kelpie.coordinator.store.PgStore.time;
import static dev.kelpie.coordinator.store.Store.row;

/** The reads behind the history API: newest first, keyset-paged on time, every filter a bound parameter. */
final class PgQueries {

  private final Pool pool;

  PgQueries(Pool pool) {
    this.pool = pool;
  }

  Future<JsonArray> results(String agentId, String checkId, Store.Page page) {
    return query("SELECT seq, at, up, latency_ms, detail FROM results WHERE agent_id = $1 AND check_id = $2 "
        + "AND at >= $3 AND at < $4 ORDER BY at DESC, seq DESC LIMIT $5",
      Tuple.of(agentId, checkId, time(page.from()), time(upper(page)), page.limit()),
      r -> row("seq", r.getLong(0), "time", instant(r, 1), "outcome", r.getBoolean(2) ? "up" : "down",
        "latencyMs", r.getInteger(3), "detail", r.getString(4)));
  }

  Future<JsonArray> resultBuckets(String agentId, String checkId, Instant from, Instant to, Duration bucket) {
    return query("SELECT date_bin(make_interval(secs => $5), at, $3) AS bucket, count(*), "
        + "count(*) FILTER (WHERE NOT up), avg(latency_ms), max(latency_ms) FROM results "
        + "WHERE agent_id = $1 AND check_id = $2 AND at >= $3 AND at < $4 GROUP BY bucket ORDER BY bucket DESC",
      Tuple.of(agentId, checkId, time(from), time(to), bucket.toMillis() / 1000.0),
      r -> row("time", instant(r, 0), "count", r.getLong(1), "failures", r.getLong(2),
        "meanLatencyMs", r.getNumeric(3) == null ? null : r.getNumeric(3).doubleValue(),
        "maxLatencyMs", r.getInteger(4)));
  }

  Future<JsonArray> transitions(String agentId, String checkId, Store.Page page) {
    return query("SELECT at, from_state, to_state, reason FROM transitions WHERE agent_id = $1 AND check_id = $2 "
        + "AND at >= $3 AND at < $4 ORDER BY at DESC, id DESC LIMIT $5",
      Tuple.of(agentId, checkId, time(page.from()), time(upper(page)), page.limit()),
      r -> row("time", instant(r, 0), "from", r.getString(1), "to", r.getString(2), "reason", r.getString(3)));
  }

  Future<JsonArray> incidents(String host, String agentId, String checkId, Boolean open, Store.Page page) {
    return query("SELECT i.id, i.agent_id, a.host, i.check_id, i.opened_at, i.closed_at, i.reason FROM incidents i "
        + "LEFT JOIN agents a ON a.agent_id = i.agent_id WHERE ($1::text IS NULL OR a.host = $1) "
        + "AND ($2::text IS NULL OR i.agent_id = $2) AND ($3::text IS NULL OR i.check_id = $3) "
        + "AND ($4::bool IS NULL OR (i.closed_at IS NULL) = $4) AND i.opened_at >= $5 AND i.opened_at < $6 "
        + "ORDER BY i.opened_at DESC LIMIT $7",
      Tuple.of(host, agentId, checkId, open, time(page.from()), time(upper(page)), page.limit()),
      r -> row("id", r.getString(0), "agentId", r.getString(1), "host", r.getString(2), "checkId", r.getString(3),
        "openedAt", instant(r, 4), "closedAt", instant(r, 5), "open", r.getValue(5) == null,
        "reason", r.getString(6)));
  }

  Future<JsonArray> actions(String agentId, String service, Store.Page page) {
    return query("SELECT command_id, agent_id, service, action, reason, issued_by, issued_at, status, detail, "
        + "finished_at, duration_ms FROM actions WHERE ($1::text IS NULL OR agent_id = $1) "
        + "AND ($2::text IS NULL OR service = $2) AND COALESCE(issued_at, finished_at) >= $3 "
        + "AND COALESCE(issued_at, finished_at) < $4 ORDER BY COALESCE(issued_at, finished_at) DESC LIMIT $5",
      Tuple.of(agentId, service, time(page.from()), time(upper(page)), page.limit()),
      r -> row("commandId", r.getString(0), "agentId", r.getString(1), "service", r.getString(2),
        "action", r.getString(3), "reason", r.getString(4), "issuedBy", r.getString(5), "issuedAt", instant(r, 6),
        "status", r.getString(7), "detail", r.getString(8), "finishedAt", instant(r, 9),
        "durationMs", r.getLong(10)));
  }

  Future<JsonObject> incident(String id) {
    return pool.preparedQuery("SELECT i.id, i.agent_id, a.host, i.check_id, i.opened_at, i.closed_at, i.reason, "
        + "c.spec->>'service' FROM incidents i LEFT JOIN agents a ON a.agent_id = i.agent_id "
        + "LEFT JOIN checks c ON c.agent_id = i.agent_id AND c.check_id = i.check_id WHERE i.id = $1")
      .execute(Tuple.of(id))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.<JsonObject>succeededFuture(null);
        }
        Row r = rows.iterator().next();
        Instant opened = instant(r, 4);
        Instant closed = instant(r, 5);
        JsonObject incident = row("id", r.getString(0), "agentId", r.getString(1),
          "host", r.getString(2), "checkId", r.getString(3), "openedAt", opened, "closedAt", closed,
          "open", closed == null, "reason", r.getString(6));
        Instant until = closed == null ? Instant.now() : closed.plusSeconds(1);
        return query("SELECT at, 'transition', from_state || ' -> ' || to_state, reason FROM transitions "
            + "WHERE agent_id = $1 AND check_id = $2 AND at >= $3 AND at <= $4 "
            + "UNION ALL SELECT COALESCE(issued_at, finished_at), 'action', action || COALESCE(' ' || status, ''), "
            + "COALESCE(detail, reason) FROM actions WHERE agent_id = $1 AND service = $5 "
            + "AND COALESCE(issued_at, finished_at) >= $3 AND COALESCE(issued_at, finished_at) <= $4 ORDER BY 1",
          Tuple.of(r.getString(1), r.getString(3), time(opened), time(until), r.getString(7)),
          t -> row("time", instant(t, 0), "kind", t.getString(1), "what", t.getString(2), "why", t.getString(3)))
          .map(timeline -> incident.put("timeline", timeline));
      });
  }

  private static Instant upper(Store.Page page) {
    return page.before() != null && page.before().isBefore(page.to()) ? page.before() : page.to();
  }

  private Future<JsonArray> query(String sql, Tuple parameters, Function<Row, Object> mapper) {
    return pool.preparedQuery(sql).execute(parameters).map(rows -> collect(rows, mapper));
  }

  private static JsonArray collect(RowSet<Row> rows, Function<Row, Object> mapper) {
    JsonArray array = new JsonArray();
    rows.forEach(r -> array.add(mapper.apply(r)));
    return array;
  }
}
