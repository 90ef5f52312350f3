package dev.kelpie.coordinator.store;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The store contract, held against PostgreSQL (one schema for the class, emptied before each test), and its tables. */
class PgStoreTest extends StoreContract {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final String TABLES = "agents, checks, results, process_events, transitions, incidents, actions, "
    + "silences, alerts, alert_deliveries";

  private static final Vertx vertx = Vertx.vertx();
  private static final String schema = TestDatabase.newSchema();

  private static PgStore pg;

  @AfterAll
  static void dropSchema() {
    if (pg != null) {
      pg.close().await();
    }
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  /** The class's store, opened (migrated) once, emptied for each test. */
  @Override
  Store newStore() {
    if (pg == null) {
      pg = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
      pg.open(1).await();
    }
    try (Connection db = TestDatabase.jdbc(schema)) {
      db.createStatement().execute("TRUNCATE " + TABLES);
    } catch (Exception e) {
      throw new IllegalStateException("cannot empty the test schema " + schema, e);
    }
    return pg;
  }

  @Override
  void closeStore(Store store) {
  }

  private static ProbeResult pgResult(long seq, boolean up, Duration age) {
    Instant at = NOW.minus(age);
    ProbeResult result = up ? ProbeResult.up("a", "c", at, Duration.ofMillis(3), "ok")
      : ProbeResult.down("a", "c", at, Duration.ofMillis(3), "503");
    return result.withSeq(seq);
  }

  private long results() throws Exception {
    try (Connection db = TestDatabase.jdbc(schema);
         ResultSet rows = db.createStatement().executeQuery("SELECT count(*) FROM results")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  @DisplayName("the same facts written twice are stored once")
  void idempotent() throws Exception {
    Facts facts = new Facts();
    for (int seq = 1; seq <= 500; seq++) {
      facts.results.add(pgResult(seq, seq % 7 != 0, Duration.ofMinutes(seq)));
    }
    store.write(facts).await();
    store.write(facts).await();
    assertThat(results()).isEqualTo(500);
  }

  @Test
  @DisplayName("retention deletes successes and failures past their own ages")
  void retention() throws Exception {
    Facts facts = new Facts();
    facts.results.add(pgResult(1, true, Duration.ofDays(3)));
    facts.results.add(pgResult(2, true, Duration.ofHours(1)));
    facts.results.add(pgResult(3, false, Duration.ofDays(3)));
    facts.results.add(pgResult(4, false, Duration.ofDays(20)));
    store.write(facts).await();

    long deleted = store.purge(NOW.minus(Duration.ofDays(2)), NOW.minus(Duration.ofDays(14))).await();

    assertThat(deleted).isEqualTo(2);
    try (Connection db = TestDatabase.jdbc(schema);
         ResultSet rows = db.createStatement().executeQuery("SELECT seq FROM results ORDER BY seq")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(2);
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(3);
      assertThat(rows.next()).isFalse();
    }
  }

  @Test
  @DisplayName("the purge summarizes the time index's new ranges itself, autovacuum or not; PostgreSQL is not asked to "
    + "for every filled range (where autovacuum is off nothing did, and its log filled at a fleet's rate)")
  void purgeSummarizesTheTimeIndex() throws Exception {
    try (Connection db = TestDatabase.jdbc(schema)) {
      try (ResultSet options = db.createStatement().executeQuery(
        "SELECT reloptions FROM pg_class WHERE oid = 'results_by_time'::regclass")) {
        options.next();
        assertThat(options.getString(1)).isEqualTo("{autosummarize=off}");
      }
      // 40,000 rows of a day ago and now: a few of the index's 128-page ranges, none summarized yet
      db.createStatement().execute("INSERT INTO results (agent_id, seq, check_id, at, up, latency_ms, detail) "
        + "SELECT 'a', s, 'c', now() - CASE WHEN s <= 20000 THEN interval '1 day' ELSE interval '0' END "
        + "+ s * interval '1 ms', true, 3, repeat('x', 100) FROM generate_series(1, 40000) s");
    }

    long deleted = store.purge(Instant.now().minus(Duration.ofHours(1)), Instant.now().minus(Duration.ofHours(1)))
      .await();

    assertThat(deleted).isEqualTo(20000);
    try (Connection db = TestDatabase.jdbc(schema);
         ResultSet left = db.createStatement().executeQuery(
           "SELECT brin_summarize_new_values('results_by_time'::regclass)")) {
      left.next();
      assertThat(left.getInt(1)).as("ranges the purge left unsummarized").isZero();
    }
  }

  @Test
  @DisplayName("a check's memory, written each time its failures or phase move, finds room on its row's page: the "
    + "update stays there and the primary key gains no entry (a heap-only update); on pages filled to the brim every "
    + "one moved here, and a third in a 1,000-agent run")
  void checkUpdatesStayOnTheirPage() throws Exception {
    Facts announced = new Facts();
    for (int i = 0; i < 300; i++) {
      CheckSpec spec = new CheckSpec("check-" + i, CheckType.HTTP, "service-" + i,
        "GET http://127.0.0.1:8080/health/" + i, PolicySpec.defaults());
      announced.checks.put("a/check-" + i, new Facts.CheckRecord("a", "check-" + i, spec.toJson(), memory(0), null));
    }
    store.write(announced).await();
    String pages = "SELECT string_agg(check_id || '@' || (ctid::text::point)[0], ',' ORDER BY check_id) FROM checks";
    List<String> before = List.of(query(pages).split(","));
    String keyBefore = query("SELECT pg_relation_size('checks_pkey')");

    // one update of each: later ones find room again once the page is pruned of the versions they replaced, which
    // only a transaction open elsewhere in the database (another test's, here) can hold back
    Facts moved = new Facts();
    for (int i = 0; i < 300; i++) {
      moved.checks.put("a/check-" + i, new Facts.CheckRecord("a", "check-" + i, null, memory(1), null));
    }
    store.write(moved).await();

    assertThat(query("SELECT count(*) FROM checks WHERE memory->>'consecutiveFailures' = '1'")).isEqualTo("300");
    List<String> after = List.of(query(pages).split(","));
    assertThat(after.stream().filter(page -> !before.contains(page)).count())
      .as("checks moved off their page by an update").isZero();
    assertThat(query("SELECT pg_relation_size('checks_pkey')")).isEqualTo(keyBefore);
  }

  /** A check's policy memory as the coordinator writes it, {@code failures} in a row. */
  private static io.vertx.core.json.JsonObject memory(int failures) {
    return new io.vertx.core.json.JsonObject().put("phase", failures == 0 ? "HEALTHY" : "FAILING")
      .put("consecutiveFailures", failures).put("restarts", new io.vertx.core.json.JsonArray())
      .put("restartsSinceStable", 0).put("lastRestartAt", (Object) null).put("healthySince", NOW.toEpochMilli())
      .put("graceUntil", (Object) null).put("startupDeadline", (Object) null).put("restartNotBefore", (Object) null)
      .put("pendingReason", failures == 0 ? null : failures + " failures in a row");
  }

  private String query(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Test
  @DisplayName("a decision journaled on disk by a run that died is written at the next start, once, without reopening "
    + "its incident or undoing its answer, and its file goes")
  void journalReplayed() throws Exception {
    Store store = newStore();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kelpie-journal");
    DecisionJournal journal = new DecisionJournal(vertx, dir);
    Facts decision = new Facts();
    decision.actions.put("cmd-1", new Facts.Action("cmd-1", "a", "svc", "restart", "c: 3 failures", "c", NOW,
      NOW.plusSeconds(30), 7, null, null, null, null));
    decision.incidents.put("inc-1", new Facts.Incident("inc-1", "a", "c", NOW, null, "3 failures"));
    decision.alerts.add(new Facts.Alert("alert-1", NOW, new io.vertx.core.json.JsonObject().put("id", "alert-1")
      .put("kind", "action_taken")));
    journal.write("cmd-1", DecisionJournal.decisionOf(decision)).await();

    Facts later = new Facts();
    later.actions.put("cmd-1", new Facts.Action("cmd-1", "a", "svc", "restart", null, null, null, null, 0, "done",
      "ok", NOW.plusSeconds(2), 900L));
    later.incidents.put("inc-1", new Facts.Incident("inc-1", "a", "c", NOW, NOW.plusSeconds(9), "3 failures"));
    later.alerts.add(new Facts.Alert("alert-1", NOW, new io.vertx.core.json.JsonObject().put("id", "alert-1")));
    store.write(later).await();

    assertThat(journal.replayInto(store).await()).isEqualTo(1);
    assertThat(java.nio.file.Files.list(dir).toList()).as("the journal emptied").isEmpty();
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(
      "SELECT a.reason, a.epoch, a.status, i.closed_at, (SELECT count(*) FROM alerts) AS alerts FROM actions a, "
        + "incidents i")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getString("reason")).isEqualTo("c: 3 failures");
      assertThat(rows.getLong("epoch")).isEqualTo(7);
      assertThat(rows.getString("status")).as("the answer stays").isEqualTo("done");
      assertThat(rows.getObject("closed_at")).as("the incident stays closed").isNotNull();
      assertThat(rows.getLong("alerts")).isEqualTo(1);
    }
    assertThat(journal.replayInto(store).await()).as("nothing left the second time").isZero();
  }
}
