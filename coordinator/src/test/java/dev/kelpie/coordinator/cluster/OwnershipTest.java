package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.store.PgStore;
import dev.kelpie.coordinator.store.TestDatabase;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Ownership on real leases in PostgreSQL; a node that is not started renews nothing, as if frozen. */
class OwnershipTest {

  private static Vertx vertx;
  private static String schema;
  private static Pool pool;

  @BeforeAll
  static void migrate() {
    vertx = Vertx.vertx();
    schema = TestDatabase.newSchema();
    PgStore store = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 1);
    store.open(1).await();
    store.close().await();
    PgConnectOptions connect = PgConnectOptions.fromUri(TestDatabase.url()).addProperty("search_path", schema);
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(connect).using(vertx).build();
  }

  @AfterAll
  static void close() {
    pool.close().await();
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  private static Command command(String agentId, long epoch) {
    return new Command("c-" + UUID.randomUUID(), agentId, "svc", Action.RESTART, "test", Instant.now(),
      Instant.now().plusSeconds(30), epoch);
  }

  @Test
  @DisplayName("alone, a coordinator owns whoever says hello and stamps its own epoch, as before clustering")
  void alone() {
    Ownership alone = Ownership.alone(57);

    Ownership.Taken taken = alone.take("web-1").await();

    assertThat(taken.token()).isEqualTo(57);
    assertThat(taken.continuous()).isTrue();
    Command command = command("web-1", 57);
    assertThat(alone.stamp(command)).contains(command);
  }

  @Test
  @DisplayName("a frozen owner: the other node takes the agent once the lease runs out, with a higher token; the "
    + "frozen one stamps nothing, and on resuming gives the agent up and closes its connection")
  void frozenOwnerGivesUp() throws Exception {
    String agent = "agent-" + UUID.randomUUID();
    Ownership a = Ownership.clustered(vertx, new PgLeases(pool, "a", Duration.ofSeconds(1)), 1_000,
      Duration.ofSeconds(1));
    Ownership b = Ownership.clustered(vertx, new PgLeases(pool, "b", Duration.ofSeconds(1)), 900,
      Duration.ofSeconds(1));
    long tokenA = a.take(agent).await().token();
    assertThat(tokenA).as("seeded from a's start epoch").isEqualTo(1_000);
    assertThat(a.stamp(command(agent, 1)).orElseThrow().epoch()).isEqualTo(tokenA);

    Ownership.Taken byB = b.take(agent).await();   // a renews nothing: frozen

    assertThat(byB.token()).isGreaterThan(tokenA);
    assertThat(byB.continuous()).isFalse();
    assertThat(a.stamp(command(agent, 1))).as("the frozen node's own reckoning: its lease ran out").isEmpty();
    List<String> lost = new CopyOnWriteArrayList<>();
    List<String> dropped = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>localConsumer(Addresses.GATEWAY_AGENT_DROP, msg ->
      dropped.add(msg.body().getString("agentId"))).completion().await();
    vertx.runOnContext(v -> a.start(lost::add));
    Instant deadline = Instant.now().plusSeconds(10);
    while ((lost.isEmpty() || dropped.isEmpty()) && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(lost).containsExactly(agent);
    assertThat(dropped).containsExactly(agent);
    assertThat(a.holds(agent)).isFalse();
    assertThat(b.ownedElsewhere(List.of(agent)).await()).isEmpty();
    assertThat(a.ownedElsewhere(List.of(agent)).await()).containsExactly(agent);
  }
}
