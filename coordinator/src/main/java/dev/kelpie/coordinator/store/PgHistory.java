package dev.kelpie.coordinator.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import static dev.kelpie.coordinator.store.PgStore.instant;
import static dev.kelpie.coordinator.store.PgStore.time;

/** The history read from PostgreSQL: newest first, keyset-paged on time, every filter a bound parameter. */
final class PgHistory implements HistoryReader {

  private static final String INCIDENT_COLUMNS = "i.id, i.agent_id, a.host, i.check_id, i.opened_at, i.closed_at, "
    + "i.reason";

  private final Supplier<Pool> pool;

  PgHistory(Supplier<Pool> pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<History.Result>> results(String agentId, String checkId, Page page) {
    return query("SELECT seq, at, up, latency_ms, detail FROM results WHERE agent_id = $1 AND check_id = $2 "
        + "AND at >= $3 AND at < $4 ORDER BY at DESC, seq DESC LIMIT $5",
      Tuple.of(agentId, checkId, time(page.from()), time(page.upper()), page.limit()),
      r -> new History.Result(r.getLong(0), instant(r, 1), r.getBoolean(2), r.getInteger(3), r.getString(4)));
  }

  @Override
  public Future<List<History.Bucket>> resultBuckets(String agentId, String checkId, Instant from, Instant to,
                                                    Duration bucket) {
    return query("SELECT date_bin(make_interval(secs => $5), at, $3) AS bucket, count(*), "
        + "count(*) FILTER (WHERE NOT up), avg(latency_ms)::float8, max(latency_ms) FROM results "
        + "WHERE agent_id = $1 AND check_id = $2 AND at >= $3 AND at < $4 GROUP BY bucket ORDER BY bucket DESC",
      Tuple.of(agentId, checkId, time(from), time(to), bucket.toMillis() / 1000.0),
      r -> new History.Bucket(instant(r, 0), r.getLong(1), r.getLong(2), r.getDouble(3), r.getInteger(4)));
  }

  @Override
  public Future<List<History.Transition>> transitions(String agentId, String checkId, Page page) {
    return query("SELECT at, from_state, to_state, reason FROM transitions WHERE agent_id = $1 AND check_id = $2 "
        + "AND at >= $3 AND at < $4 ORDER BY at DESC, id DESC LIMIT $5",
      Tuple.of(agentId, checkId, time(page.from()), time(page.upper()), page.limit()),
      r -> new History.Transition(instant(r, 0), r.getString(1), r.getString(2), r.getString(3)));
  }

  @Override
  public Future<List<History.Incident>> incidents(String host, String agentId, String checkId, Boolean open,
                                                  Page page) {
    return query("SELECT " + INCIDENT_COLUMNS + " FROM incidents i LEFT JOIN agents a ON a.agent_id = i.agent_id "
        + "WHERE ($1::text IS NULL OR a.host = $1) AND ($2::text IS NULL OR i.agent_id = $2) "
        + "AND ($3::text IS NULL OR i.check_id = $3) AND ($4::bool IS NULL OR (i.closed_at IS NULL) = $4) "
        + "AND i.opened_at >= $5 AND i.opened_at < $6 ORDER BY i.opened_at DESC, i.id COLLATE \"C\" DESC LIMIT $7",
      Tuple.of(host, agentId, checkId, open, time(page.from()), time(page.upper()), page.limit()),
      PgHistory::incident);
  }

  @Override
  public Future<List<History.Action>> actions(String agentId, String service, Page page) {
    return query("SELECT command_id, agent_id, service, action, reason, issued_by, issued_at, status, detail, "
        + "finished_at, duration_ms, evidence::text FROM actions WHERE ($1::text IS NULL OR agent_id = $1) "
        + "AND ($2::text IS NULL OR service = $2) AND COALESCE(issued_at, finished_at) >= $3 "
        + "AND COALESCE(issued_at, finished_at) < $4 "
        + "ORDER BY COALESCE(issued_at, finished_at) DESC, command_id COLLATE \"C\" DESC LIMIT $5",
      Tuple.of(agentId, service, time(page.from()), time(page.upper()), page.limit()),
      r -> new History.Action(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
        r.getString(5), instant(r, 6), r.getString(7), r.getString(8), instant(r, 9), r.getLong(10),
        json(r.getString(11))));
  }

  @Override
  public Future<Optional<History.IncidentTimeline>> incident(String id) {
    return pool.get().preparedQuery("SELECT " + INCIDENT_COLUMNS + ", c.spec->>'service' FROM incidents i "
        + "LEFT JOIN agents a ON a.agent_id = i.agent_id "
        + "LEFT JOIN checks c ON c.agent_id = i.agent_id AND c.check_id = i.check_id WHERE i.id = $1")
      .execute(Tuple.of(id))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture(Optional.empty());
        }
        Row r = rows.iterator().next();
        History.Incident incident = incident(r);
        return timeline(incident, r.getString(7))
          .map(timeline -> Optional.of(new History.IncidentTimeline(incident, timeline)));
      });
  }

  /** Transitions first when an action has the same time: the change is what the action answers. */
  private Future<List<History.Moment>> timeline(History.Incident incident, String service) {
    Instant until = incident.open() ? Instant.now() : incident.closedAt().plusSeconds(1);
    return query("SELECT at, 'transition', from_state || ' -> ' || to_state, reason, NULL, NULL FROM transitions "
        + "WHERE agent_id = $1 AND check_id = $2 AND at >= $3 AND at <= $4 "
        + "UNION ALL SELECT COALESCE(issued_at, finished_at), 'action', action || COALESCE(' ' || status, ''), "
        + "COALESCE(detail, reason), evidence::text, issued_by FROM actions WHERE agent_id = $1 "
        + "AND (service = $5 OR (action = 'remediate' AND service = $2)) "
        + "AND COALESCE(issued_at, finished_at) >= $3 AND COALESCE(issued_at, finished_at) <= $4 ORDER BY 1, 2 DESC",
      Tuple.of(incident.agentId(), incident.checkId(), time(incident.openedAt()), time(until), service),
      t -> new History.Moment(instant(t, 0), "transition".equals(t.getString(1)) ? History.Kind.TRANSITION
        : History.Kind.ACTION, t.getString(2), t.getString(3), json(t.getString(4)), t.getString(5)));
  }

  private static JsonObject json(String text) {
    return text == null ? null : new JsonObject(text);
  }

  private static History.Incident incident(Row r) {
    return new History.Incident(r.getString(0), r.getString(1), r.getString(2), r.getString(3), instant(r, 4),
      instant(r, 5), r.getString(6));
  }

  private <T> Future<List<T>> query(String sql, Tuple parameters, Function<Row, T> mapper) {
    return pool.get().preparedQuery(sql).execute(parameters).map(rows -> {
      List<T> list = new ArrayList<>(rows.size());
      rows.forEach(r -> list.add(mapper.apply(r)));
      return list;
    });
  }
}
