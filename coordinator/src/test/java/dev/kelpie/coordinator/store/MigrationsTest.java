package dev.kelpie.coordinator.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationsTest {

  private final Vertx vertx = Vertx.vertx();
  private final String schema = TestDatabase.newSchema();

  @AfterEach
  void close() {
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  private PgStore store() {
    return new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
  }

  @Test
  @DisplayName("migrations create the schema from empty; a second start changes nothing and opens a newer epoch")
  void fromEmptyThenAgain() throws Exception {
    PgStore first = store();
    long epoch1 = first.open(1000).await();
    first.close().await();
    PgStore second = store();
    long epoch2 = second.open(1000).await();
    second.close().await();

    assertThat(epoch1).isEqualTo(1000);
    assertThat(epoch2).isGreaterThan(epoch1);
    try (Connection db = TestDatabase.jdbc(schema);
         ResultSet rows = db.createStatement().executeQuery("SELECT count(*) FROM flyway_schema_history "
           + "WHERE success AND version IS NOT NULL")) {
      rows.next();
      assertThat(rows.getInt(1)).as("each migration applied, once").isEqualTo(migrations().size());
    }
  }

  @Test
  @DisplayName("a database migrated by a newer Kelpie is refused with a clear message")
  void newerDatabaseRefused() throws Exception {
    PgStore first = store();
    first.open(1).await();
    first.close().await();
    try (Connection db = TestDatabase.jdbc(schema)) {
      db.createStatement().execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
        + "script, checksum, installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', "
        + "'V99__future.sql', 0, 'test', 0, true)");
    }
    PgStore newer = store();
    assertThatThrownBy(() -> newer.open(1).await())
      .hasMessageContaining("has schema version 99, newer than this coordinator knows ("
        + migrations().get(migrations().size() - 1) + ")");
    newer.close().await();
  }

  @Test
  @DisplayName("ids stored before V9 compare bytewise after the upgrade: every id column in C collation, rows kept, "
    + "listed by code point, a replayed result still kept out")
  void idsCompareBytewiseAfterUpgrade() throws Exception {
    Migrations.configure(PgConnectOptions.fromUri(TestDatabase.url()), schema).target("8").load().migrate();
    List<String> ids = List.of("agent-b", "agent-\u0101", "Agent-B", "agent-\u00e9", "agent-a");
    try (Connection db = TestDatabase.jdbc(schema)) {
      for (String id : ids) {
        db.createStatement().execute("INSERT INTO agents (agent_id, last_seq) VALUES ('" + id + "', 1)");
        db.createStatement().execute("INSERT INTO checks (agent_id, check_id, spec, memory, updated_at) VALUES ('"
          + id + "', 'http-" + id + "', '{}', '{}', now())");
        db.createStatement().execute("INSERT INTO results (agent_id, seq, check_id, at, up, latency_ms) VALUES ('"
          + id + "', 1, 'http-" + id + "', '2026-12-01T00:00:00Z', true, 3)");
      }
    }

    PgStore upgraded = store();
    upgraded.open(1).await();
    upgraded.close().await();

    try (Connection db = TestDatabase.jdbc(schema)) {
      assertThat(strings(db, "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE "
        + "table_schema = '" + schema + "' AND column_name IN ('agent_id', 'check_id') AND collation_name IS DISTINCT "
        + "FROM 'C' ORDER BY 1"))
        .as("id columns not compared bytewise").isEmpty();
      assertThat(strings(db, "SELECT a.agent_id FROM agents a JOIN checks c USING (agent_id) JOIN results r "
        + "ON r.agent_id = c.agent_id AND r.check_id = c.check_id ORDER BY a.agent_id"))
        .as("every row kept, listed by code point").isEqualTo(ids.stream().sorted().toList());

      int replayed = db.createStatement().executeUpdate("INSERT INTO results (agent_id, seq, check_id, at, up, "
        + "latency_ms) VALUES ('agent-\u00e9', 1, 'http-agent-\u00e9', '2026-12-01T00:00:00Z', true, 3) "
        + "ON CONFLICT DO NOTHING");
      assertThat(replayed).as("a replayed result stored again").isZero();
    }
  }

  /** The first column of every row a query gives. */
  private static List<String> strings(Connection db, String query) throws Exception {
    List<String> values = new ArrayList<>();
    try (ResultSet rows = db.createStatement().executeQuery(query)) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }

  /** The versions of the migrations this coordinator ships ("2", "3.17"), in order: whoever adds one adds a file. */
  private static java.util.List<String> migrations() {
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V[0-9_]+__.*\\.sql"))
        .map(n -> n.substring(1, n.indexOf("__")).replace('_', '.'))
        .sorted(java.util.Comparator.comparing(org.flywaydb.core.api.MigrationVersion::fromVersion))
        .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
