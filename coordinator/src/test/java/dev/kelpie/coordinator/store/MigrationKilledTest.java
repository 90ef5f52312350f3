package dev.kelpie.coordinator.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A coordinator killed (SIGKILL) while migration V5 rebuilds the results' indexes: Flyway runs each PostgreSQL
 * migration in one transaction, with its history row, so the kill leaves the schema as V4 left it; the next start
 * migrates it whole. The migration runs in a child process (the test's own classpath), on a results table large
 * enough that the unique index takes seconds to build, and is killed while PostgreSQL shows that build running.
 */
class MigrationKilledTest {

  private static final long ROWS = 1_500_000;

  private final Vertx vertx = Vertx.vertx();
  private final String schema = TestDatabase.newSchema();

  @AfterEach
  void close() {
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  @Test
  @DisplayName("killed in the middle of V5, the coordinator's next start migrates cleanly and keeps every result")
  void killedMidV5() throws Exception {
    URI uri = URI.create(TestDatabase.url());
    Flyway.configure().dataSource("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(),
        uri.getUserInfo() == null ? "postgres" : uri.getUserInfo().split(":")[0],
        uri.getUserInfo() == null || !uri.getUserInfo().contains(":") ? "" : uri.getUserInfo().split(":", 2)[1])
      .locations("classpath:db/migration").schemas(schema).defaultSchema(schema).createSchemas(true).target("4")
      .load().migrate();
    try (Connection db = TestDatabase.jdbc(schema)) {
      db.createStatement().execute("INSERT INTO results (agent_id, seq, check_id, at, up, latency_ms, detail) "
        + "SELECT 'agent-' || (n % 5000), n, 'check-' || (n % 7), now() - n * interval '1 ms', n % 11 <> 0, "
        + "(n % 300)::int, NULL FROM generate_series(1::bigint, " + ROWS + ") AS n");
    }

    Path output = Files.createTempFile("kelpie-migration", ".log");
    Process migrating = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(), "-cp",
      System.getProperty("java.class.path"), MigrationProcess.class.getName(), TestDatabase.url(), schema)
      .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    int backend;
    try {
      backend = awaitIndexBuild(migrating, output);
    } finally {
      migrating.destroyForcibly();   // SIGKILL: no shutdown hook, no rollback sent
    }
    Files.deleteIfExists(output);
    assertThat(migrating.waitFor(30, TimeUnit.SECONDS)).isTrue();
    awaitGone(backend);   // PostgreSQL finds its client gone once the build ends, and rolls the transaction back

    try (Connection db = TestDatabase.jdbc(schema)) {
      assertThat(versions(db)).as("V5 not recorded").containsExactly("1", "2", "3", "3.17", "4");
      assertThat(indexes(db)).as("the indexes as V4 left them")
        .containsExactlyInAnyOrder("results_pkey", "results_by_check_time", "results_by_time");
    }

    PgStore restarted = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
    restarted.open(1).await();
    restarted.close().await();

    try (Connection db = TestDatabase.jdbc(schema)) {
      assertThat(versions(db)).as("V5, and the migrations after it").startsWith("1", "2", "3", "3.17", "4", "5");
      assertThat(indexes(db)).containsExactlyInAnyOrder("results_by_check_time", "results_by_time");
      assertThat(single(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        + "AND indexname = 'results_by_check_time'")).contains("UNIQUE").contains("(agent_id, check_id, at, seq)");
      assertThat(single(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        + "AND indexname = 'results_by_time'")).contains("USING brin (at)");
      assertThat(single(db, "SELECT count(*) || '/' || count(*) FILTER (WHERE NOT up) || '/' || sum(seq) FROM results"))
        .as("every result kept").isEqualTo(ROWS + "/" + (ROWS / 11) + "/" + ROWS * (ROWS + 1) / 2);
      assertThat(single(db,
        "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'results_by_check_time'::regclass"))
        .isEqualTo("true");
    }
  }

  /** The child's backend while it builds V5's unique index on the results (the one holding a lock on that table). */
  private int awaitIndexBuild(Process migrating, Path output) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Connection db = TestDatabase.jdbc(schema)) {
      while (System.nanoTime() < deadline) {
        if (!migrating.isAlive()) {
          throw new AssertionError("the migration ended before V5's index build was seen: " + Files.readString(output));
        }
        try (ResultSet rows = db.createStatement().executeQuery("SELECT a.pid FROM pg_locks l "
          + "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.relation = to_regclass('" + schema + ".results') "
          + "AND a.state = 'active' "
          + "AND a.query LIKE 'CREATE UNIQUE INDEX results_by_check_time%'")) {
          if (rows.next()) {
            return rows.getInt(1);
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("V5's index build was never seen running: " + Files.readString(output));
  }

  private static void awaitGone(int backend) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    try (Connection db = TestDatabase.jdbc(null)) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rows = db.createStatement()
          .executeQuery("SELECT 1 FROM pg_stat_activity WHERE pid = " + backend)) {
          if (!rows.next()) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the killed migration's backend " + backend + " is still there");
  }

  private static List<String> versions(Connection db) throws SQLException {
    List<String> versions = new ArrayList<>();
    try (ResultSet rows = db.createStatement().executeQuery("SELECT version FROM flyway_schema_history "
      + "WHERE success AND version IS NOT NULL ORDER BY installed_rank")) {
      while (rows.next()) {
        versions.add(rows.getString(1));
      }
    }
    return versions;
  }

  private static List<String> indexes(Connection db) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet rows = db.createStatement().executeQuery("SELECT indexname FROM pg_indexes "
      + "WHERE schemaname = current_schema() AND tablename = 'results'")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  private static String single(Connection db, String sql) throws SQLException {
    try (ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }
}
