package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.store.PgStore;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Leases on the real PostgreSQL, in a schema of this class's own; each "node" has its own pool of connections. */
class PgLeasesTest {

  private static final Duration LONG = Duration.ofMinutes(5);

  private static Vertx vertx;
  private static String schema;
  private static final List<Pool> pools = new ArrayList<>();

  @BeforeAll
  static void migrate() {
    vertx = Vertx.vertx();
    schema = TestDatabase.newSchema();
    PgStore store = new PgStore(vertx, PgConnectOptions.fromUri(TestDatabase.url()), schema, 1);
    store.open(1).await();
    store.close().await();
  }

  @AfterAll
  static void close() {
    pools.forEach(pool -> pool.close().await());
    vertx.close().await();
    TestDatabase.dropSchema(schema);
  }

  private static PgLeases node(String name, Duration term) {
    PgConnectOptions connect = PgConnectOptions.fromUri(TestDatabase.url()).addProperty("search_path", schema);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(connect).using(vertx).build();
    pools.add(pool);
    return new PgLeases(pool, name, term);
  }

  private static String agent() {
    return "agent-" + UUID.randomUUID();
  }

  @Test
  @DisplayName("two nodes racing for a free agent: exactly one wins, and the other sees it as the holder")
  void raceHasOneWinner() {
    PgLeases a = node("a", LONG);
    PgLeases b = node("b", LONG);
    String agent = agent();

    var both = Future.all(a.acquire(agent), b.acquire(agent)).await();
    Optional<Lease> byA = both.resultAt(0);
    Optional<Lease> byB = both.resultAt(1);

    assertThat(byA.isPresent() ^ byB.isPresent()).as("exactly one of %s, %s", byA, byB).isTrue();
    Lease won = byA.orElseGet(byB::orElseThrow);
    assertThat(won.epoch()).isEqualTo(1);
    assertThat(a.holder(agent).await()).contains(won);
    assertThat(b.holder(agent).await()).contains(won);
    PgLeases loser = byA.isPresent() ? b : a;
    assertThat(loser.acquire(agent).await()).as("a live lease is not taken").isEmpty();
  }

  @Test
  @DisplayName("a lease left to expire goes to the other node with a higher epoch; the old owner learns on renew")
  void expiryMovesTheLease() {
    PgLeases a = node("a", Duration.ofMillis(300));
    PgLeases b = node("b", LONG);
    String agent = agent();
    Lease first = a.acquire(agent).await().orElseThrow();
    assertThat(a.renew(first).await()).as("renewed while live").isPresent();

    Lease taken = awaitAcquired(b, agent, Duration.ofSeconds(20));

    assertThat(taken.ownerNode()).isEqualTo("b");
    assertThat(taken.epoch()).isGreaterThan(first.epoch());
    assertThat(a.renew(first).await()).as("the old owner's renew").isEmpty();
    assertThat(a.release(first).await()).as("the old owner cannot release what it lost").isFalse();
    assertThat(b.holder(agent).await()).contains(taken);
  }

  @Test
  @DisplayName("a renew with an old epoch fails even from the node that owns the agent now")
  void renewNeedsTheCurrentEpoch() {
    PgLeases a = node("a", LONG);
    String agent = agent();
    Lease first = a.acquire(agent).await().orElseThrow();
    Lease second = a.acquire(agent).await().orElseThrow();

    assertThat(second.epoch()).isEqualTo(first.epoch() + 1);
    assertThat(a.renew(first).await()).isEmpty();
    Lease renewed = a.renew(second).await().orElseThrow();
    assertThat(renewed.epoch()).isEqualTo(second.epoch());
    assertThat(renewed.expiresAt()).isAfterOrEqualTo(second.expiresAt());
  }

  @Test
  @DisplayName("a released lease is free at once for another node, which gets a higher epoch")
  void releaseFreesAtOnce() {
    PgLeases a = node("a", LONG);
    PgLeases b = node("b", LONG);
    String agent = agent();
    Lease first = a.acquire(agent).await().orElseThrow();

    assertThat(a.release(first).await()).isTrue();
    assertThat(a.holder(agent).await()).isEmpty();
    Lease next = b.acquire(agent).await().orElseThrow();
    assertThat(next.epoch()).isEqualTo(first.epoch() + 1);
    assertThat(a.renew(first).await()).isEmpty();
  }

  @Test
  @DisplayName("a token floor: the first lease starts at the node's epoch, a later owner goes above the old token")
  void floorKeepsTokensAboveCoordinatorEpochs() {
    PgLeases a = node("a", LONG);
    PgLeases b = node("b", LONG);
    String agent = agent();
    Lease first = a.acquire(agent, 1_000).await().orElseThrow();
    assertThat(first.epoch()).as("seeded from a's start epoch").isEqualTo(1_000);
    assertThat(a.release(first).await()).isTrue();

    Lease lowFloor = b.acquire(agent, 57).await().orElseThrow();
    assertThat(lowFloor.epoch()).as("b started earlier (epoch 57), still above a's token").isEqualTo(1_001);
    assertThat(b.release(lowFloor).await()).isTrue();
    Lease highFloor = a.acquire(agent, 5_000).await().orElseThrow();
    assertThat(highFloor.epoch()).isEqualTo(5_000);
  }

  @Test
  @DisplayName("renewing all of a node's leases at once keeps the current ones and drops the lost ones")
  void renewAllKeepsOnlyCurrentLeases() {
    PgLeases a = node("a", Duration.ofSeconds(2));
    PgLeases b = node("b", LONG);
    String kept = agent();
    String lost = agent();
    Lease keptLease = a.acquire(kept).await().orElseThrow();
    Lease lostLease = a.acquire(lost).await().orElseThrow();
    awaitAcquired(b, lost, Duration.ofSeconds(20));
    keptLease = a.acquire(kept).await().orElseThrow();

    List<Lease> renewed = a.renewAll(List.of(keptLease, lostLease)).await();

    assertThat(renewed).extracting(Lease::agentId).containsExactly(kept);
    assertThat(b.heldElsewhere(List.of(kept, lost)).await()).containsExactly(kept);
    assertThat(a.heldElsewhere(List.of(kept, lost)).await()).containsExactly(lost);
  }

  @Test
  @DisplayName("many nodes on many connections acquiring at once, round after round: one owner per epoch, always")
  void concurrentAcquisitionsNeverSplit() {
    List<PgLeases> nodes = new ArrayList<>();
    List<PgLeases> holders = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      nodes.add(node("n" + i, Duration.ofMillis(1)));
      holders.add(node("h" + i, LONG));
    }
    String agent = agent();
    Map<Long, List<String>> ownersByEpoch = new HashMap<>();
    for (int round = 0; round < 40; round++) {
      List<Future<Optional<Lease>>> attempts = new ArrayList<>();
      nodes.forEach(node -> attempts.add(node.acquire(agent)));
      Future.join(attempts).await();
      attempts.forEach(attempt -> attempt.result().ifPresent(lease ->
        ownersByEpoch.computeIfAbsent(lease.epoch(), e -> new ArrayList<>()).add(lease.ownerNode())));
    }

    assertThat(ownersByEpoch).isNotEmpty();
    ownersByEpoch.forEach((epoch, owners) -> assertThat(owners).as("owners of epoch %d", epoch).hasSize(1));
    assertThat(ownersByEpoch.keySet()).as("every grant got the next epoch, none skipped or repeated")
      .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, ownersByEpoch.size()).boxed().toList());

    for (int round = 0; round < 20; round++) {
      String fresh = agent();
      List<Future<Optional<Lease>>> attempts = new ArrayList<>();
      holders.forEach(node -> attempts.add(node.acquire(fresh)));
      Future.join(attempts).await();
      assertThat(attempts.stream().filter(attempt -> attempt.result().isPresent()))
        .as("winners for %s, whose lease does not expire during the race", fresh).hasSize(1);
    }
  }

  @Test
  @DisplayName("a holder the cluster saw leave: its live lease is taken at once, with a higher epoch, and it can no "
    + "longer renew it; a live holder's lease is still refused")
  void departedHolderIsOvertaken() {
    PgLeases gone = node("gone-" + UUID.randomUUID(), LONG);
    PgLeases live = node("live-" + UUID.randomUUID(), LONG);
    PgLeases taker = node("taker-" + UUID.randomUUID(), LONG);
    String agentOfGone = agent();
    String agentOfLive = agent();
    Lease old = gone.acquire(agentOfGone).await().orElseThrow();
    live.acquire(agentOfLive).await().orElseThrow();

    Lease taken = taker.acquire(agentOfGone, 1, List.of(gone.node())).await().orElseThrow();
    assertThat(taken.epoch()).as("the new token").isGreaterThan(old.epoch());
    assertThat(gone.renew(old).await()).as("the departed holder's renewal (were it only frozen)").isEmpty();
    assertThat(taker.acquire(agentOfLive, 1, List.of(gone.node())).await()).as("a live holder's agent").isEmpty();
  }

  @Test
  @DisplayName("many agents acquired in one statement: the free, expired and departed ones granted with a higher "
    + "epoch, a live holder's refused, two nodes racing for the same set never both win an agent")
  void acquireAllInOneGo() {
    PgLeases gone = node("gone-" + UUID.randomUUID(), LONG);
    PgLeases live = node("live-" + UUID.randomUUID(), LONG);
    PgLeases b = node("b-" + UUID.randomUUID(), LONG);
    PgLeases c = node("c-" + UUID.randomUUID(), LONG);
    String free = agent();
    String ofGone = agent();
    String ofLive = agent();
    Lease old = gone.acquire(ofGone).await().orElseThrow();
    live.acquire(ofLive).await().orElseThrow();

    Map<String, Lease> granted = b.acquireAll(List.of(ofLive, free, ofGone, free), 1, List.of(gone.node())).await();
    assertThat(granted.keySet()).containsExactlyInAnyOrder(free, ofGone);
    assertThat(granted.get(ofGone).epoch()).isGreaterThan(old.epoch());
    assertThat(granted.values()).allMatch(lease -> lease.ownerNode().equals(b.node()));

    List<String> contested = LongStream.range(0, 50).mapToObj(i -> agent()).toList();
    List<String> reversed = new ArrayList<>(contested);
    java.util.Collections.reverse(reversed);
    var both = Future.all(b.acquireAll(contested, 1, List.of()), c.acquireAll(reversed, 1, List.of())).await();
    Map<String, Lease> byB = both.resultAt(0);
    Map<String, Lease> byC = both.resultAt(1);
    assertThat(byB.size() + byC.size()).as("each agent granted once").isEqualTo(contested.size());
    assertThat(java.util.Collections.disjoint(byB.keySet(), byC.keySet())).as("granted to both: b %s, c %s",
      byB.keySet(), byC.keySet()).isTrue();
  }

  @Test
  @DisplayName("orphans: a lease run out for the grace under a holder that is no member is claimed once, by one node; "
    + "a member's, a fresh one's and a live one's are not")
  void orphansAreClaimedOnce() {
    Duration shortTerm = Duration.ofMillis(200);
    PgLeases dead = node("dead-" + UUID.randomUUID(), shortTerm);
    PgLeases member = node("member-" + UUID.randomUUID(), shortTerm);
    PgLeases b = node("b-" + UUID.randomUUID(), LONG);
    PgLeases c = node("c-" + UUID.randomUUID(), LONG);
    String orphan = agent();
    String released = agent();
    String membersAgent = agent();
    dead.acquire(orphan).await().orElseThrow();
    dead.release(dead.acquire(released).await().orElseThrow()).await();
    member.acquire(membersAgent).await().orElseThrow();
    List<String> members = List.of(member.node(), b.node(), c.node());

    assertThat(b.claimOrphans(members, Duration.ofMinutes(1)).await()).as("within the grace").isEmpty();
    vertx.timer(shortTerm.toMillis() * 2 + 100).await();
    var claims = Future.all(b.claimOrphans(members, Duration.ofMillis(100)),
      c.claimOrphans(members, Duration.ofMillis(100))).await();
    List<String> byB = claims.resultAt(0);
    List<String> byC = claims.resultAt(1);
    List<String> all = new ArrayList<>(byB);
    all.addAll(byC);
    assertThat(all).as("claimed by b %s and c %s", byB, byC).contains(orphan, released)
      .doesNotContain(membersAgent).doesNotHaveDuplicates();
    assertThat(b.claimOrphans(members, Duration.ofMillis(100)).await()).as("claimed again").doesNotContain(orphan,
      released);
    assertThat(b.acquire(orphan).await()).as("a claimed orphan is free for whoever it says hello to").isPresent();
  }

  @Test
  @DisplayName("orphans: an orphan whose claimer dies in turn is an orphan again, claimed by a node still there")
  void claimerDiesInTurn() {
    Duration shortTerm = Duration.ofMillis(200);
    PgLeases dead = node("dead-" + UUID.randomUUID(), shortTerm);
    PgLeases claimer = node("claimer-" + UUID.randomUUID(), LONG);
    PgLeases survivor = node("survivor-" + UUID.randomUUID(), LONG);
    String orphan = agent();
    dead.acquire(orphan).await().orElseThrow();
    vertx.timer(shortTerm.toMillis() * 2 + 100).await();
    assertThat(claimer.claimOrphans(List.of(claimer.node(), survivor.node()), Duration.ofMillis(100)).await())
      .contains(orphan);
    assertThat(survivor.claimOrphans(List.of(claimer.node(), survivor.node()), Duration.ofMillis(100)).await())
      .as("not while its claimer is a member").doesNotContain(orphan);

    vertx.timer(200).await();
    assertThat(survivor.claimOrphans(List.of(survivor.node()), Duration.ofMillis(100)).await())
      .as("once its claimer has left the members").contains(orphan);
  }

  private static Lease awaitAcquired(PgLeases leases, String agent, Duration bound) {
    Instant deadline = Instant.now().plus(bound);
    while (Instant.now().isBefore(deadline)) {
      Optional<Lease> lease = leases.acquire(agent).await();
      if (lease.isPresent()) {
        return lease.get();
      }
      vertx.timer(50).await();
    }
    throw new AssertionError(leases.node() + " did not get " + agent + " within " + bound);
  }
}
