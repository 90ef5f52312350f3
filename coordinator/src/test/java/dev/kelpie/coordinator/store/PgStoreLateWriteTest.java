package dev.kelpie.coordinator.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write held on a connection (as on one the store gave up on when the database hung) lands after a newer write made
 * on another connection: the check's row keeps the newer memory.
 */
class PgStoreLateWriteTest {

  private final Vertx vertx = Vertx.vertx();
  private final String schema = TestDatabase.newSchema();
  private TcpProxy proxy;
  private PgStore store;

  @BeforeEach
  void open() throws Exception {
    URI db = URI.create(TestDatabase.url());
    proxy = new TcpProxy(db.getHost(), db.getPort());
    int port = proxy.start();
    PgConnectOptions options = PgConnectOptions.fromUri(TestDatabase.url()).setHost("127.0.0.1").setPort(port);
    store = new PgStore(vertx, options, schema, 2);
    store.open(1).await();
  }

  @AfterEach
  void close() throws Exception {
    proxy.close();
    store.close().await();
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  /** The check as announced, its spec with its memory. */
  private static Facts memory(int restarts) {
    Facts facts = new Facts();
    Facts.CheckRecord check = StoreContract.check("a", "web-http", "web", new JsonObject().put("restarts", restarts),
      null);
    facts.checks.put("a/web-http", check);
    return facts;
  }

  /** The check's memory alone, as written between hellos. */
  private static Facts memoryMoved(int restarts) {
    Facts facts = new Facts();
    facts.checks.put("a/web-http", new Facts.CheckRecord("a", "web-http", null,
      new JsonObject().put("restarts", restarts), null));
    return facts;
  }

  private String storedMemory() throws Exception {
    try (Connection db = TestDatabase.jdbc(schema);
         ResultSet rows = db.createStatement().executeQuery("SELECT memory::text FROM checks")) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Test
  @DisplayName("a check-memory write held on its connection and landing after a newer one does not put the older "
    + "memory back")
  void lateWriteKeepsTheNewerMemory() throws Exception {
    store.write(memory(0)).await();   // one connection open, idle in the pool

    proxy.holdOpen();
    Future<Void> older = store.write(memory(1));    // on the open connection: held
    store.write(memory(2)).await();                 // on a second, new connection: passes
    assertThat(older.isComplete()).as("the older write is still held").isFalse();
    assertThat(storedMemory()).contains("\"restarts\": 2");

    proxy.thaw();
    older.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(storedMemory()).as("the memory after the older write landed").contains("\"restarts\": 2");
  }

  @Test
  @DisplayName("a coordinator whose clock is behind the one that wrote a check last still writes it once it has "
    + "restored the check (a takeover, or a restart on a slower clock)")
  void clockBehindAfterRestore() throws Exception {
    store.write(memory(1)).await();
    try (Connection db = TestDatabase.jdbc(schema)) {   // as written by a coordinator an hour ahead
      db.createStatement().executeUpdate("UPDATE checks SET updated_at = now() + interval '1 hour'");
    }
    PgStore other = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
    try {
      other.open(2).await();
      other.restoreAgent("a").await();
      other.write(memory(2)).await();
      assertThat(storedMemory()).contains("\"restarts\": 2");
    } finally {
      other.close().await();
    }
  }

  @Test
  @DisplayName("a write of the memory alone, held and landing after a newer one, does not put the older memory back "
    + "either")
  void lateMemoryWriteKeepsTheNewerMemory() throws Exception {
    store.write(memory(0)).await();

    proxy.holdOpen();
    Future<Void> older = store.write(memoryMoved(1));
    store.write(memoryMoved(2)).await();
    assertThat(older.isComplete()).as("the older write is still held").isFalse();
    assertThat(storedMemory()).contains("\"restarts\": 2");

    proxy.thaw();
    older.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(storedMemory()).as("the memory after the older write landed").contains("\"restarts\": 2");
  }
}
