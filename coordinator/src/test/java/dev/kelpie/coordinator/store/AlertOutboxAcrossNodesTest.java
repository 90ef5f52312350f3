package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.coordinator.alert.Delivery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Two coordinators' outboxes (each its own store and pool) on one real PostgreSQL schema. */
class AlertOutboxAcrossNodesTest {

  private static Vertx vertx;
  private static String schema;
  private static PgStore a;
  private static PgStore b;

  @BeforeAll
  static void open() {
    vertx = Vertx.vertx();
    schema = TestDatabase.newSchema();
    a = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
    a.open(1).await();
    b = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 2);
    b.open(1).await();
  }

  @AfterAll
  static void close() {
    a.close().await();
    b.close().await();
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  private static JsonObject raised() {
    String id = UUID.randomUUID().toString();
    JsonObject alert = new JsonObject().put("id", id).put("kind", "agent_lost").put("agentId", "web-1");
    Facts facts = new Facts();
    facts.alerts.add(new Facts.Alert(id, Instant.now(), alert));
    a.write(facts).await();
    return alert;
  }

  private static Delivery delivery(JsonObject... alerts) {
    return Delivery.create(UUID.randomUUID().toString(), "ops", Instant.now(), new JsonArray(List.of(alerts)));
  }

  @Test
  @DisplayName("the same alerts routed by two nodes at once, round after round: each alert goes in exactly one delivery")
  void routedOnce() {
    for (int round = 0; round < 20; round++) {
      JsonObject first = raised();
      JsonObject second = raised();
      List<String> ids = List.of(first.getString("id"), second.getString("id"));

      var both = Future.all(a.outbox().routed(ids, List.of(delivery(first, second))),
        b.outbox().routed(ids, List.of(delivery(first, second)))).await();

      List<Delivery> made = new ArrayList<>(both.<List<Delivery>>resultAt(0));
      made.addAll(both.<List<Delivery>>resultAt(1));
      List<String> routed = made.stream().flatMap(d -> d.alerts().stream())
        .map(alert -> ((JsonObject) alert).getString("id")).toList();
      assertThat(routed).as("round %d", round).containsExactlyInAnyOrderElementsOf(ids);
    }
    assertThat(a.outbox().unrouted().await()).isEmpty();
  }

  @Test
  @DisplayName("a delivery is tried by one node at a time: the other's claim fails until the first claim runs out")
  void claimedByOne() throws Exception {
    JsonObject alert = raised();
    Delivery delivery = a.outbox().routed(List.of(alert.getString("id")), List.of(delivery(alert))).await().get(0);
    AlertOutbox nodeA = a.outbox();
    AlertOutbox nodeB = b.outbox();

    var both = Future.all(nodeA.claim(delivery.id(), "a", Duration.ofMillis(800)),
      nodeB.claim(delivery.id(), "b", Duration.ofMillis(800))).await();
    boolean byA = both.resultAt(0);
    boolean byB = both.resultAt(1);

    assertThat(byA ^ byB).as("exactly one claim of a=%s b=%s", byA, byB).isTrue();
    String winner = byA ? "a" : "b";
    AlertOutbox loser = byA ? nodeB : nodeA;
    AlertOutbox owner = byA ? nodeA : nodeB;
    assertThat(owner.claim(delivery.id(), winner, Duration.ofMillis(800)).await()).as("its own claim again").isTrue();
    Instant deadline = Instant.now().plusSeconds(20);
    boolean taken = false;
    while (!taken && Instant.now().isBefore(deadline)) {
      taken = loser.claim(delivery.id(), byA ? "b" : "a", Duration.ofSeconds(30)).await();
      Thread.sleep(100);
    }
    assertThat(taken).as("the claim passes on once it runs out").isTrue();
    owner.update(delivery.delivered(Instant.now())).await();
    assertThat(owner.claim(delivery.id(), winner, Duration.ofSeconds(30)).await()).as("a finished delivery").isFalse();
  }
}
