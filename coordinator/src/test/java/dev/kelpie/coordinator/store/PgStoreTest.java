package dev.kelpie.coordinator.store;

import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PgStoreTest {

  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  private final Vertx vertx = Vertx.vertx();
  private final String schema = TestDatabase.newSchema();
  private PgStore store;

  @BeforeEach
  void open() {
    store = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
    store.open(1).await();
  }

  @AfterEach
  void close() {
    store.close().await();
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  private static ProbeResult result(long seq, boolean up, Duration age) {
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
      facts.results.add(result(seq, seq % 7 != 0, Duration.ofMinutes(seq)));
    }
    store.write(facts).await();
    store.write(facts).await();
    assertThat(results()).isEqualTo(500);
  }

  @Test
  @DisplayName("retention deletes successes and failures past their own ages")
  void retention() throws Exception {
    Facts facts = new Facts();
    facts.results.add(result(1, true, Duration.ofDays(3)));
    facts.results.add(result(2, true, Duration.ofHours(1)));
    facts.results.add(result(3, false, Duration.ofDays(3)));
    facts.results.add(result(4, false, Duration.ofDays(20)));
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
}
