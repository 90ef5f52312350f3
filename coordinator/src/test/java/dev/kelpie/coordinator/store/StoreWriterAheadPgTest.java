package dev.kelpie.coordinator.store;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decisions written ahead of their lane's queue on a real PostgreSQL, while the lanes are busy with other agents'
 * facts: everything is stored once, and each check keeps the memory written last for it.
 */
class StoreWriterAheadPgTest {

  private static final int BUSY_AGENTS = 50;
  private static final int DECIDING_AGENTS = 20;
  private static final int RESULTS = 20;

  private final Vertx vertx = Vertx.vertx();
  private final String schema = TestDatabase.newSchema();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private PgStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close().await();
    }
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  @Test
  @DisplayName("decisions written ahead while the lanes write other agents' facts: all stored once, newest memory kept")
  void aheadOfBusyLanes() throws Exception {
    store = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 4);
    store.open(1).await();
    Context context = vertx.getOrCreateContext();
    StoreWriter writer = new StoreWriter(vertx, store, 1_000_000, Duration.ofMillis(200), Duration.ofSeconds(30), 2,
      registry);
    CompletableFuture<List<Future<Void>>> submitted = new CompletableFuture<>();
    context.runOnContext(v -> writer.start().onComplete(up -> {
      List<Future<Void>> all = new ArrayList<>();
      for (int seq = 1; seq <= RESULTS; seq++) {   // the lanes' queues fill with the busy agents' facts
        for (int a = 0; a < BUSY_AGENTS; a++) {
          all.add(writer.submit(facts("busy-" + a, seq, false)));
        }
      }
      for (int a = 0; a < DECIDING_AGENTS; a++) {   // then each deciding agent's decision, and its later facts
        all.add(writer.submitAhead(facts("deciding-" + a, 1, true)));
      }
      for (int seq = 2; seq <= RESULTS; seq++) {
        for (int a = 0; a < DECIDING_AGENTS; a++) {
          all.add(writer.submit(facts("deciding-" + a, seq, false)));
        }
      }
      submitted.complete(all);
    }));
    Future.all(submitted.get(10, TimeUnit.SECONDS)).toCompletionStage().toCompletableFuture()
      .get(60, TimeUnit.SECONDS);

    assertThat(registry.counter("kelpie_store_written_ahead").count()).as("decisions written ahead").isPositive();
    assertThat(registry.timer("kelpie_store_decision_commit").count()).as("decisions' commits timed")
      .isEqualTo(DECIDING_AGENTS);
    try (Connection db = TestDatabase.jdbc(schema)) {
      assertThat(count(db, "SELECT count(*) FROM results"))
        .isEqualTo((long) (BUSY_AGENTS + DECIDING_AGENTS) * RESULTS);
      assertThat(count(db, "SELECT count(*) FROM actions")).isEqualTo(DECIDING_AGENTS);
      assertThat(count(db, "SELECT count(*) FROM checks WHERE (memory->>'seq')::int <> " + RESULTS))
        .as("checks whose stored memory is not the last one written").isZero();
      assertThat(count(db, "SELECT count(*) FROM agents WHERE last_seq <> " + RESULTS)).isZero();
    }
  }

  private static Facts facts(String agent, long seq, boolean decision) {
    Instant now = Instant.now();
    Facts facts = new Facts();
    facts.results.add(StoreContract.result(agent, "web-http", seq, now, !decision, 3));
    facts.checks.put(agent + "/web-http", StoreContract.check(agent, "web-http", "web",
      new JsonObject().put("seq", seq), null));
    facts.agents.put(agent, new Facts.AgentRecord(agent, "host", "1", seq, now, null));
    if (decision) {
      facts.actions.put(agent + "-restart", new Facts.Action(agent + "-restart", agent, "web", "restart", "down",
        "web-http", now, now.plusSeconds(30), 1, null, null, null, null));
    }
    return facts;
  }

  private static long count(Connection db, String sql) throws Exception {
    try (ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
