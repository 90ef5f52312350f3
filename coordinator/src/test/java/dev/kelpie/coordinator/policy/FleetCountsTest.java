package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.cluster.FleetShare;
import dev.kelpie.coordinator.cluster.PeerShares;
import dev.kelpie.coordinator.config.RulesSettings;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.CheckRules;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet rules of one clustered coordinator ("m") with the shares of the others put in by hand: the limits and the
 * shared causes count the whole fleet. The exchange itself is tested with real clustered coordinators
 * ({@code FleetCountsAcrossNodesTest}).
 */
class FleetCountsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final RulesSettings.Flapping NO_FLAPPING = RulesSettings.NONE.flapping();

  private final AtomicInteger ids = new AtomicInteger();
  private final Map<String, Long> seqs = new HashMap<>();
  private final List<Command> commands = new ArrayList<>();
  private final Facts facts = new Facts();
  private final PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
  private FleetState fleet;

  private void fleet(int inFlight, RulesSettings.Correlated correlated, List<RulesSettings.Group> groups) {
    fleet = new FleetState(1, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd-" + ids.incrementAndGet(),
      Duration.ofHours(1), FleetMetrics.NONE)
      .rules(new RulesSettings(new RulesSettings.InFlight(inFlight, false), groups, correlated, NO_FLAPPING))
      .peers(peers);
  }

  private static CheckSpec app(String role) {
    PolicySpec d = PolicySpec.defaults();
    PolicySpec policy = new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO,
      new PolicySpec.Budget(50, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
    return new CheckSpec("app", CheckType.HTTP, "app", "GET http://10.0.0.9:8080/health", policy,
      Map.of("role", role), CheckRules.DEFAULT);
  }

  private void hello(String agent) {
    take(fleet.hello(new AgentHello(agent, agent + ".example", "1", List.of(app("web")), List.of()), T0));
  }

  private void take(Outcome<?> outcome) {
    commands.addAll(outcome.commands());
    facts.addAll(outcome.facts());
  }

  private void probe(String agent, boolean up, long second) {
    Instant at = T0.plusSeconds(second);
    ProbeResult result = up ? ProbeResult.up(agent, "app", at, Duration.ZERO, "ok")
      : ProbeResult.down(agent, "app", at, Duration.ZERO, "connection refused");
    take(fleet.reports(new ReportBatch(agent, at, List.of(result.withSeq(seqs.merge(agent, 1L, Long::sum)))), at));
  }

  /** Another node's share: restarts running and waiting (all in role=web), its web hosts, what it sees of causes. */
  private void peer(String node, int running, int waiting, int webHosts, boolean heardAll,
                    Map<String, FleetShare.Cause> failing) {
    long version = peers.heard().getOrDefault(node, 0L) + 1;
    peers.put(new FleetShare(node, version, heardAll ? Map.of("m", fleet.shareVersion()) : Map.of(), running,
      Map.of("role=web", running), waiting, Map.of("role=web", waiting), Map.of("role=web", webHosts), failing),
      System.nanoTime());
  }

  private JsonObject rules() {
    return fleet.snapshot(T0, null, false).getJsonObject("rules");
  }

  private String hold(String agent) {
    return fleet.snapshot(T0, agent, false).getJsonArray("checks").getJsonObject(0).getString("hold");
  }

  @Test
  @DisplayName("fleet limit 1 with a restart running on another node: this node's restart waits, saying the fleet"
    + " runs 1; once that one is answered and this node's wait is heard, it goes; the rules show the fleet's figures")
  void fleetLimitCountsOtherNodes() {
    fleet(1, RulesSettings.NONE.correlated(), List.of());
    hello("h1");
    peer("n", 1, 0, 0, true, Map.of());
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(commands).isEmpty();
    assertThat(hold("h1")).startsWith("waiting: 1 restarts already running in the fleet (at most 1)");
    assertThat(rules().getInteger("restartsRunning")).isEqualTo(1);
    assertThat(rules().getInteger("restartsRunningHere")).isZero();
    assertThat(rules().getInteger("coordinators")).isEqualTo(2);

    peer("n", 0, 0, 0, true, Map.of());
    probe("h1", false, 3);
    assertThat(commands).hasSize(1);
    assertThat(rules().getInteger("restartsRunning")).isEqualTo(1);
    assertThat(rules().getInteger("restartsRunningHere")).isEqualTo(1);
  }

  @Test
  @DisplayName("with room in the fleet, a restart still waits until every other node has heard of it waiting here,"
    + " so two nodes never both take the last place")
  void waitsToBeHeard() {
    fleet(1, RulesSettings.NONE.correlated(), List.of());
    hello("h1");
    peer("n", 0, 0, 0, false, Map.of());
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(commands).isEmpty();
    assertThat(hold("h1")).startsWith("waiting: telling the other coordinators first");
    assertThat(fleet.share(T0).waiting()).isEqualTo(1);

    peer("n", 0, 0, 0, true, Map.of());
    probe("h1", false, 3);
    assertThat(commands).hasSize(1);
    assertThat(fleet.share(T0).running()).isEqualTo(1);
    assertThat(fleet.share(T0).waiting()).isZero();
  }

  @Test
  @DisplayName("a restart waiting on a node before this one (lower id) takes the last place first; one waiting on a"
    + " node after this one waits for this one")
  void nodesBeforeGoFirst() {
    fleet(1, RulesSettings.NONE.correlated(), List.of());
    hello("h1");
    peer("a", 0, 1, 0, true, Map.of());
    probe("h1", false, 1);
    probe("h1", false, 2);
    probe("h1", false, 3);
    assertThat(commands).isEmpty();
    assertThat(hold("h1")).contains("1 waiting before it");

    peer("a", 0, 0, 0, true, Map.of());
    peer("z", 0, 1, 0, true, Map.of());
    probe("h1", false, 4);
    assertThat(commands).hasSize(1);
  }

  @Test
  @DisplayName("a label group's percent and its restarts running are the fleet's: 10 % of 2 here and 18 elsewhere is"
    + " 2, and 2 running elsewhere fill it")
  void groupsCountOtherNodes() {
    fleet(0, RulesSettings.NONE.correlated(), List.of(new RulesSettings.Group("role", null, 0, 10, false)));
    hello("h1");
    hello("h2");
    peer("n", 2, 0, 18, true, Map.of());
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(commands).isEmpty();
    assertThat(hold("h1")).startsWith("waiting: 2 restarts already running in role=web (at most 2 of its 20 hosts)");
    assertThat(fleet.share(T0).hostsIn()).containsEntry("role=web", 2);
  }

  @Test
  @DisplayName("a shared cause split over nodes: 2 hosts failing here and 1 elsewhere reach a threshold of 3 that"
    + " neither reaches alone; the tick holds them here, alerting once; the others' failures keep it until they clear")
  void correlatedAcrossNodes() {
    fleet(0, new RulesSettings.Correlated(3, 0, Duration.ofMinutes(2), false), List.of());
    hello("h1");
    hello("h2");
    probe("h1", false, 1);
    probe("h2", false, 1);
    assertThat(commands).isEmpty();
    assertThat(fleet.share(T0.plusSeconds(1)).failing()).containsEntry("check:app",
      new FleetShare.Cause(2, 2, 2, null, null));

    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(1, 1, 1, null, null)));
    take(fleet.tick(T0.plusSeconds(1)));
    probe("h1", false, 2);
    probe("h2", false, 2);
    assertThat(commands).as("held: the fleet has 3 hosts failing it").isEmpty();
    assertThat(hold("h1")).startsWith("held: check app failing on 3 of");
    assertThat(facts.alerts).extracting(alert -> alert.body().getString("status")).containsExactly("firing");
    assertThat(rules().getJsonArray("correlated").getJsonObject(0).getInteger("failingHosts")).isEqualTo(3);

    probe("h1", true, 3);
    probe("h2", true, 3);
    take(fleet.tick(T0.plusSeconds(3)));
    assertThat(rules().getJsonArray("correlated")).as("still failing elsewhere").hasSize(1);
    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(0, 0, 0, null, null)));
    take(fleet.tick(T0.plusSeconds(4)));
    assertThat(rules().getJsonArray("correlated")).isEmpty();
    assertThat(facts.alerts).extracting(alert -> alert.body().getString("status")).containsExactly("firing",
      "resolved");
  }

  @Test
  @DisplayName("a cause another node found first is held here without a second alert; a release there is taken up here")
  void causeFoundElsewhere() {
    fleet(0, new RulesSettings.Correlated(3, 0, Duration.ofMinutes(2), false), List.of());
    hello("h1");
    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(2, 2, 0, T0.toString(), null)));
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(commands).isEmpty();
    assertThat(hold("h1")).startsWith("held: check app");
    assertThat(facts.alerts).isEmpty();

    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(2, 2, 0, T0.toString(), "alice")));
    take(fleet.tick(T0.plusSeconds(2)));
    probe("h1", false, 3);
    assertThat(commands).hasSize(1);
  }

  @Test
  @DisplayName("a cause alerted by a node that then leaves is resolved here, the node that found it next, once it"
    + " clears; while that node is there it is resolved there, not here")
  void causeOfADepartedNode() {
    fleet(0, new RulesSettings.Correlated(3, 0, Duration.ofMinutes(2), false), List.of());
    hello("h1");
    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(2, 2, 2, T0.toString(), null)));
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(hold("h1")).startsWith("held: check app");
    take(fleet.tick(T0.plusSeconds(2)));
    assertThat(facts.alerts).as("alerted by n, which found it first").isEmpty();

    peers.retain(List.of(), System.nanoTime());
    take(fleet.tick(T0.plusSeconds(3)));
    assertThat(rules().getJsonArray("correlated")).as("still failing here").hasSize(1);
    probe("h1", true, 4);
    take(fleet.tick(T0.plusSeconds(4)));
    assertThat(rules().getJsonArray("correlated")).isEmpty();
    assertThat(facts.alerts).extracting(alert -> alert.body().getString("status")).containsExactly("resolved");
  }

  @Test
  @DisplayName("a cause alerted by another node that is still there is resolved there only")
  void causeOfALiveNodeStaysQuiet() {
    fleet(0, new RulesSettings.Correlated(3, 0, Duration.ofMinutes(2), false), List.of());
    hello("h1");
    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(2, 2, 2, T0.toString(), null)));
    probe("h1", false, 1);
    probe("h1", false, 2);
    take(fleet.tick(T0.plusSeconds(2)));
    peer("n", 0, 0, 0, true, Map.of("check:app", new FleetShare.Cause(1, 1, 2, T0.toString(), null)));
    take(fleet.tick(T0.plusSeconds(3)));
    probe("h1", true, 3);
    peer("n", 0, 0, 0, true, Map.of());   // cleared everywhere: n resolved it and dropped it
    take(fleet.tick(T0.plusSeconds(4)));
    assertThat(rules().getJsonArray("correlated")).isEmpty();
    assertThat(facts.alerts).as("n alerted it and resolves it").isEmpty();
  }

  @Test
  @DisplayName("a fleet limit in shadow mode holds nothing in a cluster either: no wait to be heard (the other node"
    + " has not heard of this one yet), the restart goes")
  void shadowLimitWaitsForNoOne() {
    fleet = new FleetState(1, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd-" + ids.incrementAndGet(),
      Duration.ofHours(1), FleetMetrics.NONE)
      .rules(new RulesSettings(new RulesSettings.InFlight(1, true), List.of(), RulesSettings.NONE.correlated(),
        NO_FLAPPING))
      .peers(peers);
    hello("h1");
    peer("n", 0, 0, 0, false, Map.of());
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(commands).hasSize(1);
  }

  @Test
  @DisplayName("a node alone publishes nothing and waits for no one: its share is only asked for when clustered")
  void aloneUnchanged() {
    fleet = new FleetState(1, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd-" + ids.incrementAndGet(),
      Duration.ofHours(1), FleetMetrics.NONE)
      .rules(new RulesSettings(new RulesSettings.InFlight(1, false), List.of(), RulesSettings.NONE.correlated(),
        NO_FLAPPING));
    hello("h1");
    probe("h1", false, 1);
    probe("h1", false, 2);
    assertThat(commands).hasSize(1);
    assertThat(rules().getInteger("coordinators")).isEqualTo(1);
  }
}
