package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The PostgreSQL store, through the Vert.x reactive client. A write is one transaction of a few multi-row
 * statements (arrays unnested server-side), each idempotent by its key, whatever the number of rows.
 * <p>
 * Probe results, most of the rows by far, are first inserted plainly: {@code ON CONFLICT DO NOTHING} makes PostgreSQL
 * insert each row speculatively (a look into the unique index before, a confirmation record after): 7-30 % of its
 * CPU per result and about a fifth of the WAL (bench/pgbench/results-indexes.sh, StoreBench). A replayed result (one
 * committed whose acknowledgement was lost) then fails the transaction on the results index, and the same facts are
 * written again with the conflict clause: idempotent still, at the price of one transaction in the rare write that
 * carries a replay.
 */
public final class PgStore implements Store {

  private static final Logger log = LoggerFactory.getLogger(PgStore.class);

  /** On conflict an action keeps the issue it has; an answer written before its issue gets the issue's columns. */
  private static final String FIRST_ISSUE = Stream.of("service", "action", "reason", "issued_by", "issued_at",
      "expires_at", "epoch")
    .map(c -> c + " = CASE WHEN actions.issued_at IS NULL THEN EXCLUDED." + c + " ELSE actions." + c + " END, ")
    .collect(Collectors.joining());

  private final Vertx vertx;
  private final PgConnectOptions connect;
  private final String schema;
  private final int poolSize;
  /** Reads, the alert outbox, the epoch. */
  private volatile Pool pool;
  /**
   * The history's writes, apart: its connections are made on the context of whoever writes first (the store writer's
   * own event loop), so their protocol work stays off the loops that read or decide. Up to one and a half times
   * {@code poolSize}: the writer's lanes (half of it) each keep a transaction in flight and up to two of decisions
   * written ahead beside it ({@link StoreWriter#MAX_AHEAD}).
   */
  private volatile Pool writes;
  private final HistoryReader history;
  private final AlertOutbox outbox;
  private long lastStampMicros;

  public PgStore(Vertx vertx, PgConnectOptions connect, String schema, int poolSize) {
    this.vertx = vertx;
    this.connect = connect;
    this.schema = schema;
    if (schema != null) {
      connect.addProperty("search_path", schema);
    }
    connect.setCachePreparedStatements(true);
    this.poolSize = poolSize;
    newPools();
    this.history = new PgHistory(() -> pool);
    this.outbox = new PgAlertOutbox(() -> pool);
  }

  /**
   * Reads get what the writer's lanes (half the pool) leave; the writes' pool may grow to one and a half times the
   * size (connections are opened only as asked for): a lane's transaction and two written ahead each.
   */
  private void newPools() {
    pool = newPool(Math.max(1, poolSize - poolSize / 2));
    writes = newPool(poolSize + poolSize / 2);
  }

  private Pool newPool(int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(connect).using(vertx).build();
  }

  /**
   * A pool of its own on the same database and schema, for work that must not queue behind the history's writes
   * (agent leases); the caller closes it.
   */
  public Pool ownPool(int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(connect).using(vertx).build();
  }

  /** A new pool for whatever comes next; the old one is closed without waiting on what hangs in it. */
  @Override
  public void replaceConnections() {
    Pool old = pool;
    Pool oldWrites = writes;
    newPools();
    old.close();
    oldWrites.close();
  }

  @Override
  public String kind() {
    return "postgresql";
  }

  private static final String ONLY = "($1::text[] IS NULL OR agent_id = ANY($1::text[]))";

  /**
   * The new epoch is above every earlier coordinator's and every agent lease's: an agent remembers the highest it has
   * seen of either, and refuses commands below it.
   */
  @Override
  public Future<Long> open(long proposedEpoch) {
    return vertx.executeBlocking(() -> Migrations.run(connect, schema), false)
      .compose(v -> pool.preparedQuery("INSERT INTO coordinator_epochs (epoch) "
          + "SELECT GREATEST($1, COALESCE(MAX(epoch), 0) + 1, (SELECT COALESCE(MAX(epoch), 0) + 1 FROM agent_leases)) "
          + "FROM coordinator_epochs RETURNING epoch")
        .execute(Tuple.of(proposedEpoch)))
      .map(rows -> rows.iterator().next().getLong(0));
  }

  @Override
  public Future<Restored> restore() {
    return restore((String[]) null);
  }

  @Override
  public Future<Restored> restoreAgent(String agentId) {
    return restore(new String[] {agentId});
  }

  @Override
  public Future<Restored> restoreAgents(Collection<String> agentIds) {
    return restore(agentIds.toArray(String[]::new));
  }

  /** Everything (null), or only {@code agentIds}' (for a coordinator taking agents over from another). */
  private Future<Restored> restore(String[] agentIds) {
    Tuple only = Tuple.tuple().addArrayOfString(agentIds);
    Future<Map<String, Facts.AgentRecord>> agents = pool.preparedQuery("SELECT agent_id, host, version, last_seq, last_seen, "
      + "services FROM agents WHERE " + ONLY).execute(only).map(rows -> {
        Map<String, Facts.AgentRecord> map = new HashMap<>();
        rows.forEach(r -> map.put(r.getString(0), new Facts.AgentRecord(r.getString(0), r.getString(1),
          r.getString(2), r.getLong(3), instant(r, 4), (JsonArray) r.getValue(5))));
        return map;
      });
    Future<Map<String, Facts.CheckRecord>> checks = pool.preparedQuery("SELECT agent_id, check_id, spec, memory, incident_id, "
      + "updated_at FROM checks WHERE " + ONLY).execute(only).map(rows -> {
        Map<String, Facts.CheckRecord> map = new HashMap<>();
        rows.forEach(r -> {
          map.put(r.getString(0) + "/" + r.getString(1), new Facts.CheckRecord(r.getString(0),
            r.getString(1), (JsonObject) r.getValue(2), (JsonObject) r.getValue(3), r.getString(4)));
          stampAfter(instant(r, 5));
        });
        return map;
      });
    Future<List<Facts.Action>> pending = pool.preparedQuery("SELECT command_id, agent_id, service, action, reason, issued_by, "
      + "issued_at, expires_at, epoch FROM actions WHERE status IS NULL AND issued_at > now() - interval '1 day' AND " + ONLY)
      .execute(only).map(rows -> {
        List<Facts.Action> list = new ArrayList<>();
        rows.forEach(r -> list.add(new Facts.Action(r.getString(0), r.getString(1), r.getString(2), r.getString(3),
          r.getString(4), r.getString(5), instant(r, 6), instant(r, 7), r.getLong(8), null, null, null, null)));
        return list;
      });
    Future<Map<String, Facts.Incident>> incidents = pool.preparedQuery("SELECT id, agent_id, check_id, opened_at, reason "
      + "FROM incidents WHERE closed_at IS NULL AND " + ONLY).execute(only).map(rows -> {
        Map<String, Facts.Incident> map = new HashMap<>();
        rows.forEach(r -> map.put(r.getString(0), new Facts.Incident(r.getString(0), r.getString(1), r.getString(2),
          instant(r, 3), null, r.getString(4))));
        return map;
      });
    Future<List<Facts.Silence>> silences = pool.preparedQuery("SELECT agent_id, check_id, until, created_by, reason, "
      + "created_at FROM silences WHERE until > now() AND " + ONLY).execute(only).map(rows -> {
        List<Facts.Silence> list = new ArrayList<>();
        rows.forEach(r -> list.add(new Facts.Silence(r.getString(0), r.getString(1).isEmpty() ? null
          : r.getString(1), instant(r, 2), r.getString(3), r.getString(4), instant(r, 5))));
        return list;
      });
    Future<Map<String, Instant>> lostAlerted = pool.preparedQuery("SELECT DISTINCT ON (body->>'agentId') "
      + "body->>'agentId', body->>'kind', raised_at FROM alerts WHERE body->>'kind' IN ('agent_lost', 'agent_back') "
      + "AND " + ONLY.replace("agent_id", "(body->>'agentId')") + " ORDER BY body->>'agentId', n DESC")
      .execute(only).map(rows -> {
        Map<String, Instant> map = new HashMap<>();
        rows.forEach(r -> {
          if ("agent_lost".equals(r.getString(1))) {
            map.put(r.getString(0), instant(r, 2));
          }
        });
        return map;
      });
    return Future.all(List.of(agents, checks, incidents, pending, silences, lostAlerted)).map(all -> new Restored(
      agents.result(), checks.result(), incidents.result(), pending.result(), silences.result(), lostAlerted.result()));
  }

  @Override
  public Future<Void> write(Facts facts) {
    if (facts.isEmpty()) {
      return Future.succeededFuture();
    }
    return write(facts, false).recover(failure -> replayedResult(failure) ? write(facts, true)
      : Future.failedFuture(failure));
  }

  /** A result already stored: the results' unique index refused a row. */
  private static boolean replayedResult(Throwable failure) {
    return failure instanceof PgException e && "23505".equals(e.getSqlState())
      && RESULTS_KEY.equals(e.getConstraint());
  }

  private static final String RESULTS_KEY = "results_by_check_time";

  private Future<Void> write(Facts facts, boolean replay) {
    Instant stamp = nextStamp();
    return writes.withTransaction(conn -> Future.all(List.of(
      results(conn, facts.results, replay),
      events(conn, facts.events),
      transitions(conn, facts.transitions),
      incidents(conn, new ArrayList<>(facts.incidents.values())),
      actions(conn, new ArrayList<>(facts.actions.values())),
      checks(conn, facts.checks.values(), stamp),
      agents(conn, new ArrayList<>(facts.agents.values())),
      silences(conn, new ArrayList<>(facts.silences.values())),
      alerts(conn, facts.alerts))).<Void>mapEmpty());
  }

  @Override
  public HistoryReader history() {
    return history;
  }

  @Override
  public AlertOutbox outbox() {
    return outbox;
  }

  @Override
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  /**
   * Summarizes the time index's new block ranges first (see V7: autovacuum no longer does it as rows come), so the
   * delete skips the ranges that hold only recent rows instead of reading them. Without the index's ownership the
   * delete goes ahead anyway and reads them.
   */
  @Override
  public Future<Long> purge(Instant successesBefore, Instant failuresBefore) {
    return pool.withConnection(conn -> conn.query("SELECT brin_summarize_new_values('results_by_time'::regclass)")
      .execute()
      .onFailure(e -> log.warn("retention: the new ranges of index results_by_time were not summarized ({}); the "
        + "purge reads them", e.getMessage()))
      .otherwiseEmpty()
      .compose(ignored -> conn.preparedQuery("DELETE FROM results WHERE (up AND at < $1) OR (NOT up AND at < $2)")
        .execute(Tuple.of(time(successesBefore), time(failuresBefore))))
      .map(rows -> (long) rows.rowCount()));
  }

  @Override
  public Future<Void> close() {
    return Future.join(pool.close(), writes.close()).mapEmpty();
  }

  private static final String INSERT_RESULTS = "INSERT INTO results (agent_id, seq, check_id, at, up, latency_ms, "
    + "detail) SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::timestamptz[], $5::bool[], $6::int4[], "
    + "$7::text[])";

  /** Plainly, or ({@code replay}) skipping the results already stored. */
  private static Future<?> results(SqlConnection conn, List<ProbeResult> results, boolean replay) {
    return unnest(conn, results, replay ? INSERT_RESULTS + " ON CONFLICT DO NOTHING" : INSERT_RESULTS,
      List.of(text(ProbeResult::agentId), int8(ProbeResult::seq), text(ProbeResult::checkId),
        time(ProbeResult::time), col(Boolean.class, ProbeResult::up),
        col(Integer.class, r -> (int) r.latency().toMillis()), text(ProbeResult::detail)));
  }

  private static Future<?> events(SqlConnection conn, List<ProcessEvent> events) {
    return unnest(conn, events, "INSERT INTO process_events (agent_id, seq, service, at, type, pid, exit_code, signal, "
        + "command_id, detail) SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::timestamptz[], $5::text[], "
        + "$6::int8[], $7::int4[], $8::text[], $9::text[], $10::text[]) ON CONFLICT DO NOTHING",
      List.of(text(ProcessEvent::agentId), int8(ProcessEvent::seq), text(ProcessEvent::service),
        time(ProcessEvent::time), text(e -> e.type().name().toLowerCase()), int8(ProcessEvent::pid),
        col(Integer.class, ProcessEvent::exitCode), text(ProcessEvent::signal), text(ProcessEvent::commandId),
        text(ProcessEvent::detail)));
  }

  private static Future<?> transitions(SqlConnection conn, List<Facts.Transition> transitions) {
    return unnest(conn, transitions, "INSERT INTO transitions (agent_id, check_id, at, from_state, to_state, reason) "
        + "SELECT * FROM UNNEST($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])",
      List.of(text(Facts.Transition::agentId), text(Facts.Transition::checkId), time(Facts.Transition::at),
        text(Facts.Transition::from), text(Facts.Transition::to), text(Facts.Transition::reason)));
  }

  private static Future<?> incidents(SqlConnection conn, List<Facts.Incident> incidents) {
    return unnest(conn, incidents, "INSERT INTO incidents (id, agent_id, check_id, opened_at, closed_at, reason) "
        + "SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[]) "
        + "ON CONFLICT (id) DO UPDATE SET closed_at = COALESCE(EXCLUDED.closed_at, incidents.closed_at), "
        + "reason = EXCLUDED.reason",
      List.of(text(Facts.Incident::id), text(Facts.Incident::agentId), text(Facts.Incident::checkId),
        time(Facts.Incident::openedAt), time(Facts.Incident::closedAt), text(Facts.Incident::reason)));
  }

  private static Future<?> actions(SqlConnection conn, List<Facts.Action> actions) {
    return unnest(conn, actions, "INSERT INTO actions (command_id, agent_id, service, action, reason, issued_by, "
        + "issued_at, expires_at, epoch, status, detail, finished_at, duration_ms, evidence) SELECT c1, c2, c3, c4, "
        + "c5, c6, c7, c8, c9, c10, c11, c12, c13, c14::jsonb FROM UNNEST($1::text[], "
        + "$2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], "
        + "$9::int8[], $10::text[], $11::text[], $12::timestamptz[], $13::int8[], $14::text[]) "
        + "AS t(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14) ON CONFLICT (command_id) DO UPDATE "
        + "SET " + FIRST_ISSUE + "status = COALESCE(EXCLUDED.status, actions.status), "
        + "detail = COALESCE(EXCLUDED.detail, actions.detail), "
        + "finished_at = COALESCE(EXCLUDED.finished_at, actions.finished_at), "
        + "duration_ms = COALESCE(EXCLUDED.duration_ms, actions.duration_ms), "
        + "evidence = COALESCE(EXCLUDED.evidence, actions.evidence)",
      List.of(text(Facts.Action::commandId), text(Facts.Action::agentId), text(Facts.Action::service),
        text(Facts.Action::action), text(Facts.Action::reason), text(Facts.Action::issuedBy),
        time(Facts.Action::issuedAt), time(Facts.Action::expiresAt), int8(a -> a.issuedAt() == null ? null : a.epoch()),
        text(Facts.Action::status), text(Facts.Action::detail), time(Facts.Action::finishedAt),
        int8(Facts.Action::durationMs), text(a -> a.evidence() == null ? null : a.evidence().encode())));
  }

  /**
   * A check's row carries the time its write was made here ({@code stamp}), and a write older than the row's is
   * skipped: a write held on a replaced connection (or any slow one) that lands late never puts back an older memory.
   * A check announced (its spec given) is inserted or updated; one whose memory or incident alone moved, far the more
   * frequent, is only updated, its spec left as stored: no spec to encode and parse again, no insert attempted. A
   * check never announced has no row to update, and gets none.
   */
  private static Future<?> checks(SqlConnection conn, Collection<Facts.CheckRecord> checks, Instant stamp) {
    List<Facts.CheckRecord> announced = new ArrayList<>();
    List<Facts.CheckRecord> moved = new ArrayList<>();
    checks.forEach(check -> (check.spec() != null ? announced : moved).add(check));
    return Future.all(announced(conn, announced, stamp), moved(conn, moved, stamp));
  }

  private static Future<?> announced(SqlConnection conn, List<Facts.CheckRecord> checks, Instant stamp) {
    return unnest(conn, checks, "INSERT INTO checks (agent_id, check_id, spec, memory, incident_id, updated_at) "
        + "SELECT a, c, s::jsonb, m::jsonb, i, u FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], "
        + "$5::text[], $6::timestamptz[]) AS t(a, c, s, m, i, u) ON CONFLICT (agent_id, check_id) DO UPDATE SET "
        + "spec = EXCLUDED.spec, memory = COALESCE(EXCLUDED.memory, checks.memory), "
        + "incident_id = EXCLUDED.incident_id, updated_at = EXCLUDED.updated_at "
        + "WHERE checks.updated_at <= EXCLUDED.updated_at",
      List.of(text(Facts.CheckRecord::agentId), text(Facts.CheckRecord::checkId), text(c -> c.spec().encode()),
        text(c -> c.memory() == null ? null : c.memory().encode()), text(Facts.CheckRecord::incidentId),
        time(c -> stamp)));
  }

  private static Future<?> moved(SqlConnection conn, List<Facts.CheckRecord> checks, Instant stamp) {
    return unnest(conn, checks, "UPDATE checks SET memory = COALESCE(m::jsonb, checks.memory), incident_id = i, "
        + "updated_at = u FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) "
        + "AS t(a, c, m, i, u) WHERE checks.agent_id = a AND checks.check_id = c AND checks.updated_at <= u",
      List.of(text(Facts.CheckRecord::agentId), text(Facts.CheckRecord::checkId),
        text(c -> c.memory() == null ? null : c.memory().encode()), text(Facts.CheckRecord::incidentId),
        time(c -> stamp)));
  }

  /**
   * Write times continue after the newest one restored: a coordinator taking checks over from another (or a restart
   * on a clock that is behind) never has its writes skipped as older than the rows it took over.
   */
  private synchronized void stampAfter(Instant written) {
    if (written != null) {
      lastStampMicros = Math.max(lastStampMicros, written.getEpochSecond() * 1_000_000 + written.getNano() / 1000);
    }
  }

  /** This process's write times, strictly increasing even if the wall clock steps back (microseconds, as stored). */
  private synchronized Instant nextStamp() {
    Instant now = Instant.now();
    long micros = Math.max(now.getEpochSecond() * 1_000_000 + now.getNano() / 1000, lastStampMicros + 1);
    lastStampMicros = micros;
    return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
  }

  private static Future<?> agents(SqlConnection conn, List<Facts.AgentRecord> agents) {
    return unnest(conn, agents, "INSERT INTO agents (agent_id, host, version, last_seq, last_seen, services) "
        + "SELECT a, h, v, s, l, sv::jsonb FROM UNNEST($1::text[], $2::text[], $3::text[], $4::int8[], "
        + "$5::timestamptz[], $6::text[]) AS t(a, h, v, s, l, sv) "
        + "ON CONFLICT (agent_id) DO UPDATE SET host = COALESCE(EXCLUDED.host, agents.host), "
        + "version = COALESCE(EXCLUDED.version, agents.version), "
        + "last_seq = GREATEST(agents.last_seq, EXCLUDED.last_seq), last_seen = EXCLUDED.last_seen, "
        + "services = COALESCE(EXCLUDED.services, agents.services)",
      List.of(text(Facts.AgentRecord::agentId), text(Facts.AgentRecord::host), text(Facts.AgentRecord::version),
        int8(Facts.AgentRecord::lastSeq), time(Facts.AgentRecord::lastSeen),
        text(a -> a.services() == null ? null : a.services().encode())));
  }

  private static Future<?> silences(SqlConnection conn, List<Facts.Silence> silences) {
    return unnest(conn, silences, "INSERT INTO silences (agent_id, check_id, until, created_by, reason, created_at) "
        + "SELECT * FROM UNNEST($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], "
        + "$6::timestamptz[]) ON CONFLICT (agent_id, check_id) DO UPDATE SET until = EXCLUDED.until, "
        + "created_by = EXCLUDED.created_by, reason = EXCLUDED.reason, created_at = EXCLUDED.created_at",
      List.of(text(Facts.Silence::agentId), text(s -> s.checkId() == null ? "" : s.checkId()),
        time(Facts.Silence::until), text(Facts.Silence::by), text(Facts.Silence::reason),
        time(Facts.Silence::createdAt)));
  }

  private static Future<?> alerts(SqlConnection conn, List<Facts.Alert> alerts) {
    return unnest(conn, alerts, "INSERT INTO alerts (id, raised_at, body) SELECT i, r, b::jsonb FROM "
        + "UNNEST($1::text[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS t(i, r, b, o) ORDER BY o "
        + "ON CONFLICT DO NOTHING",
      List.of(text(Facts.Alert::id), time(Facts.Alert::raisedAt), text(a -> a.body().encode())));
  }

  /** A column of a multi-row statement: its Java type (for the array parameter) and how to read it from a row. */
  private record Column<T>(Class<?> type, Function<T, Object> value) {
  }

  private static <T> Column<T> col(Class<?> type, Function<T, ?> value) {
    return new Column<>(type, value::apply);
  }

  private static <T> Column<T> text(Function<T, String> value) {
    return col(String.class, value);
  }

  private static <T> Column<T> int8(Function<T, Long> value) {
    return col(Long.class, value);
  }

  private static <T> Column<T> time(Function<T, Instant> value) {
    return col(OffsetDateTime.class, row -> time(value.apply(row)));
  }

  /** One statement for all rows: column i of every row goes into array parameter i. */
  private static <T> Future<?> unnest(SqlConnection conn, List<T> rows, String sql, List<Column<T>> columns) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Object[] parameters = new Object[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      Column<T> column = columns.get(c);
      Object[] values = (Object[]) java.lang.reflect.Array.newInstance(column.type(), rows.size());
      for (int r = 0; r < rows.size(); r++) {
        values[r] = column.value().apply(rows.get(r));
      }
      parameters[c] = values;
    }
    return conn.preparedQuery(sql).execute(Tuple.wrap(parameters));
  }

  /** As {@code at.atOffset(UTC)}, without the new {@code ZoneRules} that builds on each call (every time of every row). */
  static OffsetDateTime time(Instant at) {
    if (at == null) {
      return null;
    }
    return OffsetDateTime.of(LocalDateTime.ofEpochSecond(at.getEpochSecond(), at.getNano(), ZoneOffset.UTC),
      ZoneOffset.UTC);
  }

  static Instant instant(Row row, int column) {
    OffsetDateTime at = row.getOffsetDateTime(column);
    return at == null ? null : at.toInstant();
  }
}
