package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The writer's lanes: different agents' facts are in flight at once, one agent's stay in order, facts of several
 * agents are written alone, and a failed write is kept and tried again. Runs on a real Vert.x context, with a store
 * whose writes the test completes by hand.
 */
class StoreWriterLanesTest {

  private final Vertx vertx = Vertx.vertx();
  private final HeldStore store = new HeldStore();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @DisplayName("two agents in different lanes are written at once; one agent's second write waits for its first")
  void lanes() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String b = agentInLane(1, 2);
    Future<Void> a1 = on(() -> writer.submit(result(a, 1)));
    Future<Void> b1 = on(() -> writer.submit(result(b, 1)));
    Future<Void> a2 = on(() -> writer.submit(result(a, 2)));
    awaitHeld(2);
    assertThat(on(() -> store.held.stream().map(h -> h.facts.results.get(0).seq()).toList()))
      .as("a's and b's first writes in flight, a's second waiting").containsExactly(1L, 1L);
    on(() -> store.commit(1));   // b's
    assertThat(b1.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
    assertThat(a1.isComplete()).isFalse();
    awaitHeld(1);
    on(() -> store.commit(0));   // a's first; its second starts only now
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).seq())).isEqualTo(2L);
    on(() -> store.commit(0));
    committed(a2);
    assertThat(a1.succeeded()).isTrue();
  }

  @Test
  @DisplayName("facts of several agents are split over their lanes, in order, and complete when every part is committed")
  void severalAgentsSplit() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String b = agentInLane(1, 2);
    Future<Void> a1 = on(() -> writer.submit(result(a, 1)));
    Facts both = result(a, 2);
    both.addAll(result(b, 2));
    Future<Void> together = on(() -> writer.submit(both));
    Future<Void> b3 = on(() -> writer.submit(result(b, 3)));
    awaitHeld(2);
    assertThat(on(() -> store.held.get(1).facts.results.get(0))).satisfies(r -> {
      assertThat(r.agentId()).isEqualTo(b);
      assertThat(r.seq()).isEqualTo(2L);
    });
    on(() -> store.commit(1));   // b's part; b3 starts in lane 1
    assertThat(together.isComplete()).as("a's part not committed yet").isFalse();
    awaitHeld(2);
    assertThat(on(() -> store.held.get(1).facts.results.get(0).seq())).isEqualTo(3L);
    on(() -> store.commit(0));   // a1; a's part of the pair starts in lane 0
    committed(a1);
    assertThat(together.isComplete()).isFalse();
    Future<Void> flushed = on(() -> writer.submit(new Facts()));
    awaitHeld(2);
    on(() -> store.commit(1));   // a's part of the pair
    committed(together);
    assertThat(flushed.isComplete()).as("an empty submission waits for all before it").isFalse();
    on(() -> store.commit(0));   // b3
    committed(b3);
    committed(flushed);
  }

  @Test
  @DisplayName("a failed write keeps its facts, marks the store down, and is tried again until committed")
  void retried() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    Future<Void> a1 = on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);   // the write reaches the store on the writer's own loop
    on(() -> store.fail(0));
    awaitUntil(() -> !on(writer::up));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (on(() -> store.held.size()) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);   // the retry comes on the writer's timer (50 ms)
    }
    assertThat(a1.isComplete()).isFalse();
    on(() -> store.commit(0));
    committed(a1);
    assertThat(on(writer::up)).isTrue();
  }

  @Test
  @DisplayName("a decision about an agent with nothing uncommitted is written at once beside its lane's transaction; "
    + "the lane's next transaction waits for it")
  void decisionWrittenAhead() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String c = otherAgentInLane(0, 2, a);
    Future<Void> a1 = on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> decision = on(() -> writer.submitAhead(result(c, 1)));
    awaitHeld(2);
    Future<Void> a2 = on(() -> writer.submit(result(a, 2)));
    Future<Void> flushed = on(() -> writer.submit(new Facts()));
    assertThat(on(() -> store.held.stream().map(h -> h.facts.results.get(0).agentId()).toList()))
      .as("a's first write and c's decision in flight together").containsExactly(a, c);
    on(() -> store.commit(indexOf(c)));
    committed(decision);
    assertThat(a1.isComplete()).as("committed before the transaction it overtook").isFalse();
    on(() -> store.commit(indexOf(a)));
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).seq())).isEqualTo(2L);
    assertThat(flushed.isComplete()).isFalse();
    on(() -> store.commit(0));
    committed(a2);
    committed(flushed);
  }

  @Test
  @DisplayName("while a decision is written ahead, the lane's next transaction waits for it even when the one in "
    + "flight is done, and an empty submission waits for it")
  void laneWaitsForTheDecision() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String c = otherAgentInLane(0, 2, a);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> decision = on(() -> writer.submitAhead(result(c, 1)));
    awaitHeld(2);
    Future<Void> c2 = on(() -> writer.submit(result(c, 2)));
    Future<Void> flushed = on(() -> writer.submit(new Facts()));
    on(() -> store.commit(indexOf(a)));
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).agentId()))
      .as("c's later facts not written while its decision is not committed").isEqualTo(c);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).seq())).isEqualTo(1L);
    assertThat(flushed.isComplete()).isFalse();
    on(() -> store.commit(0));
    committed(decision);
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).seq())).isEqualTo(2L);
    on(() -> store.commit(0));
    committed(c2);
    committed(flushed);
  }

  @Test
  @DisplayName("a second decision about another agent is written ahead at once beside the first; those that come "
    + "while two are written ahead are written ahead together once one is committed, beside the lane's transaction "
    + "still in flight")
  void decisionsAheadTogether() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    List<String> deciding = agentsInLane(0, 2, 4, "deciding-");
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> first = on(() -> writer.submitAhead(result(deciding.get(0), 1)));
    awaitHeld(2);
    Future<Void> second = on(() -> writer.submitAhead(result(deciding.get(1), 1)));
    awaitHeld(3);
    Future<Void> third = on(() -> writer.submitAhead(result(deciding.get(2), 1)));
    Future<Void> fourth = on(() -> writer.submitAhead(result(deciding.get(3), 1)));
    assertThat(on(() -> store.held.size())).as("two written ahead at most").isEqualTo(3);
    on(() -> store.commit(indexOf(deciding.get(0))));
    committed(first);
    awaitHeld(3);
    int together = indexOf(deciding.get(2));
    assertThat(on(() -> store.held.get(together).facts.results.stream().map(ProbeResult::agentId).toList()))
      .as("one transaction for both, beside a's and the second's still in flight")
      .containsExactly(deciding.get(2), deciding.get(3));
    on(() -> store.commit(together));
    committed(third);
    committed(fourth);
    assertThat(second.isComplete()).isFalse();
    on(() -> store.commit(indexOf(deciding.get(1))));
    committed(second);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).agentId())).isEqualTo(a);
  }

  @Test
  @DisplayName("a decision about an agent whose decision is being written ahead waits for that one's commit, in "
    + "order, though a place ahead is free")
  void decisionAfterItsAgentsDecision() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String c = otherAgentInLane(0, 2, a);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> first = on(() -> writer.submitAhead(result(c, 1)));
    awaitHeld(2);
    Future<Void> second = on(() -> writer.submitAhead(result(c, 2)));
    assertThat(on(() -> store.held.size())).as("c's second decision waits for its first").isEqualTo(2);
    on(() -> store.commit(indexOf(c)));
    committed(first);
    awaitHeld(2);
    int next = indexOf(c);
    assertThat(on(() -> store.held.get(next).facts.results.get(0).seq())).isEqualTo(2L);
    on(() -> store.commit(next));
    committed(second);
  }

  @Test
  @DisplayName("when a decision written ahead fails, it and the decisions about its agent that waited for it go back "
    + "to the lane in their order, behind the other one written ahead")
  void failedAheadKeepsItsAgentsOrder() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    List<String> deciding = agentsInLane(0, 2, 2, "deciding-");
    String c = deciding.get(0);
    String d = deciding.get(1);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> c1 = on(() -> writer.submitAhead(result(c, 1)));
    Future<Void> d1 = on(() -> writer.submitAhead(result(d, 1)));
    awaitHeld(3);
    Future<Void> c2 = on(() -> writer.submitAhead(result(c, 2)));
    on(() -> store.fail(indexOf(c)));
    on(() -> store.commit(indexOf(a)));
    assertThat(on(() -> store.held.size())).as("the lane waits for d's decision still written ahead").isEqualTo(1);
    on(() -> store.commit(indexOf(d)));
    committed(d1);
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.stream().map(ProbeResult::seq).toList()))
      .as("c's decisions retried in the lane, the first before the second").containsExactly(1L, 2L);
    on(() -> store.commit(0));
    committed(c1);
    committed(c2);
  }

  @Test
  @DisplayName("decisions that waited to go ahead lead the lane's next transaction when the one in flight is done "
    + "first, before their agents' later facts")
  void decisionsLeadTheNextTransaction() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    List<String> deciding = agentsInLane(0, 2, 3, "deciding-");
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> first = on(() -> writer.submitAhead(result(deciding.get(0), 1)));
    Future<Void> second = on(() -> writer.submitAhead(result(deciding.get(1), 1)));
    awaitHeld(3);
    Future<Void> third = on(() -> writer.submitAhead(result(deciding.get(2), 1)));
    Future<Void> later = on(() -> writer.submit(result(deciding.get(2), 2)));
    Future<Void> a2 = on(() -> writer.submit(result(a, 2)));
    on(() -> store.commit(indexOf(a)));
    assertThat(on(() -> store.held.size())).as("the lane waits for the decisions ahead").isEqualTo(2);
    on(() -> store.commit(indexOf(deciding.get(0))));
    committed(first);
    on(() -> store.commit(indexOf(deciding.get(1))));
    committed(second);
    awaitHeld(1);
    assertThat(on(() -> seqs(0)))
      .containsExactly(deciding.get(2) + "#1", deciding.get(2) + "#2", a + "#2");
    on(() -> store.commit(0));
    committed(third);
    committed(later);
    committed(a2);
  }


  @Test
  @DisplayName("a decision about an agent with facts uncommitted in its lane takes its turn after them")
  void decisionAfterItsAgentsFacts() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> decision = on(() -> writer.submitAhead(result(a, 2)));
    Future<Void> probe = on(() -> writer.submit(result(agentInLane(1, 2), 1)));
    awaitHeld(2);   // the other lane's write: the decision did not start beside a's first
    assertThat(on(() -> store.held.stream().map(h -> h.facts.results.get(0).agentId()).toList()))
      .doesNotHaveDuplicates().contains(a);
    on(() -> store.commit(indexOf(agentInLane(1, 2))));
    committed(probe);
    assertThat(on(() -> store.held.size())).isEqualTo(1);
    on(() -> store.commit(0));
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).seq())).isEqualTo(2L);
    on(() -> store.commit(0));
    committed(decision);
  }

  @Test
  @DisplayName("a decision about an agent whose facts are queued, none in flight, takes them ahead with it in their "
    + "order, beside the lane's transaction; what the agent sends after it follows it")
  void decisionTakesItsAgentsQueuedFactsAhead() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String c = otherAgentInLane(0, 2, a);
    Future<Void> a1 = on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> c1 = on(() -> writer.submit(result(c, 1)));
    Future<Void> a2 = on(() -> writer.submit(result(a, 2)));
    Future<Void> decision = on(() -> writer.submitAhead(result(c, 2)));
    awaitHeld(2);
    assertThat(on(() -> seqs(indexOf(c)))).as("c's queued batch and its decision, in one transaction beside a's")
      .containsExactly(c + "#1", c + "#2");
    Future<Void> c3 = on(() -> writer.submit(result(c, 3)));
    on(() -> store.commit(indexOf(c)));
    committed(c1);
    committed(decision);
    assertThat(a1.isComplete()).as("the lane's transaction still in flight").isFalse();
    on(() -> store.commit(indexOf(a)));
    committed(a1);
    awaitHeld(1);
    assertThat(on(() -> seqs(0))).containsExactly(a + "#2", c + "#3");
    on(() -> store.commit(0));
    committed(a2);
    committed(c3);
  }

  @Test
  @DisplayName("a decision about an agent with facts in the lane's transaction in flight goes ahead as soon as that "
    + "commits, with the agent's facts queued after those, not after the lane's pause with everything else queued")
  void decisionAfterItsAgentsFlight() throws Exception {
    StoreWriter writer = writer(2, Duration.ofSeconds(30));
    String a = agentInLane(0, 2);
    String c = otherAgentInLane(0, 2, a);
    Future<Void> a1 = on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> c1 = on(() -> writer.submit(result(c, 1)));
    Future<Void> a2 = on(() -> writer.submit(result(a, 2)));
    Future<Void> decision = on(() -> writer.submitAhead(result(a, 3)));
    assertThat(on(() -> store.held.size())).isEqualTo(1);
    on(() -> store.commit(0));
    committed(a1);
    awaitHeld(1);
    assertThat(on(() -> seqs(0))).as("a's queued facts and its decision, without c's, within the lane's 30 s pause")
      .containsExactly(a + "#2", a + "#3");
    on(() -> store.commit(0));
    committed(a2);
    committed(decision);
    assertThat(c1.isComplete()).as("c's facts wait for the lane's pause").isFalse();
  }

  @Test
  @DisplayName("when the transaction a decision waits for fails (the store hung past its timeout, or failed), the "
    + "decision is kept behind it and both are tried again, in order")
  void decisionAfterAFailedFlight() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> decision = on(() -> writer.submitAhead(result(a, 2)));
    on(() -> store.fail(0));
    awaitUntil(() -> !on(writer::up));
    awaitHeld(1);
    assertThat(on(() -> seqs(0))).as("retried together, the decision after what it waited for")
      .containsExactly(a + "#1", a + "#2");
    on(() -> store.commit(0));
    committed(decision);
  }

  @Test
  @DisplayName("a decision about an agent queued in facts about several agents takes its turn after them: taking "
    + "those ahead would put them before the other agents' earlier facts")
  void decisionBehindSharedFacts() throws Exception {
    StoreWriter writer = writer(2);
    List<String> agents = agentsInLane(0, 2, 3, "shared-");
    String a = agents.get(0);
    String c = agents.get(1);
    String d = agents.get(2);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    on(() -> writer.submit(result(d, 1)));
    Facts both = result(c, 1);
    both.addAll(result(d, 2));
    on(() -> writer.submit(both));
    Future<Void> decision = on(() -> writer.submitAhead(result(c, 2)));
    assertThat(on(() -> store.held.size())).as("nothing written ahead").isEqualTo(1);
    on(() -> store.commit(0));
    awaitHeld(1);
    assertThat(on(() -> seqs(0))).containsExactly(d + "#1", c + "#1", d + "#2", c + "#2");
    on(() -> store.commit(0));
    committed(decision);
  }

  /** The results of the {@code i}th write held, as agent#seq. */
  private List<String> seqs(int i) {
    return store.held.get(i).facts.results.stream().map(r -> r.agentId() + "#" + r.seq()).toList();
  }

  @Test
  @DisplayName("a decision written ahead whose write fails is kept and tried again in its lane")
  void decisionAheadRetried() throws Exception {
    StoreWriter writer = writer(2);
    String a = agentInLane(0, 2);
    String c = otherAgentInLane(0, 2, a);
    on(() -> writer.submit(result(a, 1)));
    awaitHeld(1);
    Future<Void> decision = on(() -> writer.submitAhead(result(c, 1)));
    awaitHeld(2);
    on(() -> store.fail(indexOf(c)));
    awaitUntil(() -> !on(writer::up));
    on(() -> store.commit(indexOf(a)));
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).agentId())).isEqualTo(c);
    assertThat(decision.isComplete()).isFalse();
    on(() -> store.commit(0));
    committed(decision);
    assertThat(on(writer::up)).isTrue();
  }

  @Test
  @DisplayName("the store's writes run on an event loop of their own, and their completions come back on the "
    + "submitter's context")
  void writesOffTheSubmittersLoop() throws Exception {
    StoreWriter writer = writer(2);
    Thread submitter = on(Thread::currentThread);
    Future<Void> a1 = on(() -> writer.submit(result(agentInLane(0, 2), 1)));
    awaitHeld(1);
    assertThat(store.writtenOn).isNotNull().isNotSameAs(submitter);
    assertThat(store.writtenOn.getName()).startsWith("vert.x-eventloop-thread");
    CompletableFuture<Thread> completedOn = new CompletableFuture<>();
    a1.onComplete(done -> completedOn.complete(Thread.currentThread()));
    on(() -> store.commit(0));
    assertThat(completedOn.get(5, TimeUnit.SECONDS)).isSameAs(submitter);
  }

  @Test
  @DisplayName("with a linger a lane waits after each commit: the facts that come meanwhile go in one transaction, "
    + "and a decision that comes meanwhile goes ahead at once")
  void lingerGathers() throws Exception {
    StoreWriter writer = writer(1, Duration.ofMillis(500));
    Future<Void> first = on(() -> writer.submit(result("a", 1)));
    awaitHeld(1);
    on(() -> store.commit(0));
    committed(first);

    Future<Void> second = on(() -> writer.submit(result("a", 2)));
    Future<Void> other = on(() -> writer.submit(result("b", 1)));
    Future<Void> decision = on(() -> writer.submitAhead(result("c", 1)));
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results.get(0).agentId())).as("the decision, ahead").isEqualTo("c");
    on(() -> store.commit(0));
    committed(decision);
    assertThat(second.isComplete()).as("the lane still waits").isFalse();
    awaitHeld(1);
    assertThat(on(() -> store.held.get(0).facts.results)).as("what came meanwhile, in one transaction")
      .extracting(ProbeResult::agentId).containsExactly("a", "b");
    on(() -> store.commit(0));
    committed(second);
    committed(other);
  }

  @Test
  @DisplayName("a store that writes in place (memory) has its facts committed in the submitter's own turn")
  void inPlaceInTheSameTurn() throws Exception {
    MemoryStore memory = new MemoryStore();
    StoreWriter writer = on(() -> new StoreWriter(vertx, memory, 1000, Duration.ofMillis(50), Duration.ofSeconds(30),
      2, new SimpleMeterRegistry()));
    Facts both = result(agentInLane(0, 2), 1);
    both.addAll(result(agentInLane(1, 2), 1));
    assertThat(on(() -> writer.submit(both).succeeded())).as("committed when submit returns").isTrue();
    assertThat(on(() -> writer.submit(result(agentInLane(0, 2), 2)).succeeded())).isTrue();
  }

  /** Waits up to 5 s for {@code write} to complete, and fails if it failed. */
  private static void committed(Future<Void> write) throws Exception {
    write.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private void awaitHeld(int size) throws Exception {
    awaitUntil(() -> on(() -> store.held.size()) == size);
    assertThat(on(() -> store.held.size())).isEqualTo(size);
  }

  /** Polls a condition on the writer's hops (each a task on a context) for up to 5 s. */
  private static void awaitUntil(Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.call() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  /** A writer started from the test's context, as the policy verticle starts it: its loop is up. */
  private StoreWriter writer(int lanes) throws Exception {
    return writer(lanes, Duration.ZERO);
  }

  /** As {@link #writer(int)}, each lane pausing {@code linger} after a commit. */
  private StoreWriter writer(int lanes, Duration linger) throws Exception {
    StoreWriter writer = on(() -> new StoreWriter(vertx, store, 1000, Duration.ofMillis(50), Duration.ofSeconds(30),
      lanes, linger, new SimpleMeterRegistry()));
    on(writer::start).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return writer;
  }

  private final io.vertx.core.Context context = vertx.getOrCreateContext();

  /** Runs on the writer's context, as the policy verticle does, and returns what it gave. */
  private <T> T on(Callable<T> work) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(work.call());
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    });
    return done.get(5, TimeUnit.SECONDS);
  }

  private int indexOf(String agent) {
    for (int i = 0; i < store.held.size(); i++) {
      if (store.held.get(i).facts.results.get(0).agentId().equals(agent)) {
        return i;
      }
    }
    throw new AssertionError("no write of " + agent + " held");
  }

  private static String otherAgentInLane(int lane, int lanes, String not) {
    for (int i = 0; ; i++) {
      String agent = "other-" + i;
      if (Math.floorMod(agent.hashCode(), lanes) == lane && !agent.equals(not)) {
        return agent;
      }
    }
  }

  private static List<String> agentsInLane(int lane, int lanes, int count, String prefix) {
    List<String> agents = new ArrayList<>();
    for (int i = 0; agents.size() < count; i++) {
      if (Math.floorMod((prefix + i).hashCode(), lanes) == lane) {
        agents.add(prefix + i);
      }
    }
    return agents;
  }

  private static String agentInLane(int lane, int lanes) {
    for (int i = 0; ; i++) {
      if (Math.floorMod(("agent-" + i).hashCode(), lanes) == lane) {
        return "agent-" + i;
      }
    }
  }

  private static Facts result(String agent, long seq) {
    Facts facts = new Facts();
    facts.results.add(new ProbeResult(agent, seq, "c", Instant.now(), Outcome.UP, Duration.ofMillis(1), null));
    return facts;
  }

  /** Writes that wait for the test to commit or fail them. */
  private static final class HeldStore implements Store {

    record Held(Facts facts, Promise<Void> promise) {
    }

    final List<Held> held = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile Thread writtenOn;
    private final MemoryStore memory = new MemoryStore();

    Void commit(int index) {
      held.remove(index).promise().complete();
      return null;
    }

    Void fail(int index) {
      held.remove(index).promise().fail("refused by the test");
      return null;
    }

    @Override
    public Future<Void> write(Facts facts) {
      Promise<Void> promise = Promise.promise();
      writtenOn = Thread.currentThread();
      held.add(new Held(facts, promise));
      return promise.future();
    }

    @Override
    public String kind() {
      return "held";
    }

    @Override
    public Future<Long> open(long proposedEpoch) {
      return memory.open(proposedEpoch);
    }

    @Override
    public Future<Restored> restore() {
      return memory.restore();
    }

    @Override
    public Future<Void> ping() {
      return Future.succeededFuture();
    }

    @Override
    public HistoryReader history() {
      return memory.history();
    }

    @Override
    public AlertOutbox outbox() {
      return memory.outbox();
    }

    @Override
    public Future<Long> purge(Instant successesBefore, Instant failuresBefore) {
      return memory.purge(successesBefore, failuresBefore);
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
