package dev.kelpie.coordinator.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;

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
      assertThat(rows.getInt(1)).as("each migration applied, once").isEqualTo(3);
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
      .hasMessageContaining("has schema version 99, newer than this coordinator knows (3)");
    newer.close().await();
  }
}
