package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.FleetEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent taken over from a coordinator that had called it lost and alerted it: one outage, one agent_lost alert,
 * and its return alerted by the coordinator that took it over. (End to end: {@code OrphanedAgentTest}.)
 */
class TakenOverLostTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration LOST_AFTER = Duration.ofSeconds(90);

  private final FleetState fleet = new FleetState(42, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd",
    LOST_AFTER, FleetMetrics.NONE);
  private final Collected seen = new Collected();

  /** The store as the dead coordinator left it: last heard of at {@code lastSeen}, called lost at {@code lostAt}. */
  private static Store.Restored left(Instant lastSeen, Instant lostAt) {
    return new Store.Restored(Map.of("a", new Facts.AgentRecord("a", "host", "1", 5, lastSeen, new JsonArray())),
      Map.of(), Map.of(), List.of(), List.of(), lostAt == null ? Map.of() : Map.of("a", lostAt));
  }

  private List<String> alerts() {
    return seen.drainFacts().alerts.stream().map(alert -> alert.body().getString("kind")).toList();
  }

  private JsonObject agent(Instant now) {
    return fleet.snapshot(now, null, false).getJsonArray("agents").getJsonObject(0);
  }

  @Test
  @DisplayName("an orphan its coordinator had called lost is shown lost at once, not alerted again, and its return "
    + "is alerted")
  void orphanAlreadyLost() {
    fleet.adoptOrphan("a", left(T0, T0.plus(LOST_AFTER).plusSeconds(1)), T0.plusSeconds(200));
    seen.take(fleet.tick(T0.plusSeconds(201)));
    seen.take(fleet.tick(T0.plusSeconds(400)));

    assertThat(alerts()).as("alerts after the takeover").isEmpty();
    assertThat(seen.drainEvents()).extracting(FleetEvent::type).doesNotContain(FleetEvent.Type.AGENT_LOST);
    assertThat(agent(T0.plusSeconds(400)).getBoolean("lost")).as("shown lost").isTrue();

    seen.take(fleet.hello(new AgentHello("a", "host", "1", List.of(), List.of(), Map.of(), 0), T0.plusSeconds(410)));
    assertThat(alerts()).containsExactly("agent_back");
  }

  @Test
  @DisplayName("an orphan heard of after its agent_lost alert (it came back elsewhere) is a new outage: alerted lost")
  void heardOfSinceIsANewOutage() {
    fleet.adoptOrphan("a", left(T0.plusSeconds(100), T0.plusSeconds(91)), T0.plusSeconds(150));
    seen.take(fleet.tick(T0.plusSeconds(151)));
    assertThat(alerts()).as("not silent for lostAfter yet").isEmpty();

    seen.take(fleet.tick(T0.plusSeconds(200)));
    assertThat(alerts()).containsExactly("agent_lost");
  }
}
