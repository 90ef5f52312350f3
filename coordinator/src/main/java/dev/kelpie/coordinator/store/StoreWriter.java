package dev.kelpie.coordinator.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes facts in the order they come, many submissions to a transaction, and completes each submission's future
 * once it is committed: that is when an agent's reports are acknowledged. Up to {@code lanes} transactions are in
 * flight, one per lane: the facts of one agent always take that agent's lane, so its writes stay in order and two
 * transactions never touch the same rows. A submission about several agents (a tick, a fleet-wide rule) is split
 * over their lanes and completes when every part is committed (its commands leave only then); an empty one completes
 * once everything before it is. When the store fails, the facts stay queued (up to a bound) and are retried until it
 * returns; the policy goes on deciding from memory meanwhile.
 * <p>
 * A decision's commands wait for its commit ({@link #submitAhead}), and behind a lane's transaction in flight and the
 * one after it that wait is two transactions of a busy fleet's facts. So facts about one agent that carry a decision
 * are written at once in a transaction of their own beside the lane's, when nothing of that agent's is in the lane's
 * transaction in flight (else as soon as that one commits, not after the lane's pause and with everything queued
 * meanwhile); what of that agent's is queued goes ahead with them, in its order (when each of those submissions is
 * about that agent alone: one about several would overtake the others' earlier facts). That transaction touches no
 * row another one in flight does, so it needs no order with them; the lane's next transaction waits for it, so
 * everything after it still follows it. Up to {@link #MAX_AHEAD} such transactions are in flight beside the lane's,
 * about different agents; decisions that come while that many are, or whose agent one of them is about, wait for one
 * to commit and are then written ahead together, in one transaction (at 10,000 agents, crossings a second per lane
 * would otherwise find the place ahead taken and queue behind the fleet's facts); if the lane's transaction in flight
 * is done first, they lead the lane's next one. Otherwise they take their turn in the lane like any facts.
 * <p>
 * Used from the policy verticle's context only: the
 * transactions themselves (their columns built, the protocol encoded and decoded) run on an event loop of their own, so
 * the policy's loop only hands facts over and takes completions back.
 * <p>
 * That loop is the context of a verticle of its own ({@link WritingLoop}, public API only), deployed by {@link #start}
 * (from the policy verticle's start) or else at the first submission: Vert.x gives each deployment the next of its
 * event loops in turn, and one that lands on the caller's loop is undeployed and deployed again (with a single event
 * loop, it stays there). Facts submitted meanwhile wait in their lanes. A store that writes in place (memory) has no such loop: its writes, and their completions, run in the
 * caller's turn.
 */
public final class StoreWriter {

  private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);
  private static final int MAX_FACTS_PER_WRITE = 20_000;
  /**
   * A lane's pause between a commit and its next transaction, for PostgreSQL. Each transaction costs PostgreSQL its
   * statements' fixed work and a commit (a WAL flush), whatever its size; without a pause a busy fleet's lanes turned
   * over every few milliseconds, about 225 transactions a second at 5,000 agents. With 25 ms they carry more each:
   * PostgreSQL's CPU per 1,000 results went from 27 to 19 ms, the coordinator's from 35 to 31 ms; 50 ms took
   * PostgreSQL's another tenth at 5,000 agents (README, issue #15's history). A report's commit (its acknowledgement
   * as stored) waits up to that much longer; a decision does not: while its lane pauses it goes ahead of it
   * ({@link #submitAhead}), as while the lane writes.
   */
  public static final Duration LINGER = Duration.ofMillis(50);
  /**
   * A lane this far behind (submissions queued) does not look through its queue to write a decision ahead. A look
   * compares the agent's id with each queued batch's, about 10 ns each; at 1,000 a 10,000-agent fleet's bursts (50,000
   * facts queued, about 3,000 batches a lane) sent a fifth of its decisions to the back of the queue.
   */
  private static final int MAX_QUEUE_AHEAD = 10_000;
  /**
   * How many transactions of decisions a lane may have written ahead at once. With one, at 10,000 agents (about 80
   * crossings a second a lane) two decisions in five found it taken and waited for it: a decision's commit p99 67 ms
   * against 22 ms for those written at once. A second one, about other agents, shares PostgreSQL's WAL flush with the
   * first (group commit) instead of waiting for it (README, issue #15's session 19).
   */
  static final int MAX_AHEAD = 2;

  /**
   * Facts handed over, and the promise of their commit. The one agent they are about is known from their submission
   * when they are about one (a batch's); facts split over the lanes have it worked out only when a decision looks for
   * its agent's facts in the lane.
   */
  private static final class Submission {
    private final Facts facts;
    private final Promise<Void> committed;
    private final long queuedNanos;
    /** The one agent the facts are about, else null (then they are looked through); valid once {@code known}. */
    private String agent;
    private boolean known;

    Submission(Facts facts, Promise<Void> committed, long queuedNanos) {
      this.facts = facts;
      this.committed = committed;
      this.queuedNanos = queuedNanos;
    }

    Submission(Facts facts, Promise<Void> committed, long queuedNanos, String agent) {
      this(facts, committed, queuedNanos);
      this.agent = agent;
      this.known = true;
    }

    Facts facts() {
      return facts;
    }

    Promise<Void> committed() {
      return committed;
    }

    long queuedNanos() {
      return queuedNanos;
    }

    boolean concerns(String agentId) {
      if (!known) {
        agent = facts.soleAgent();
        known = true;
      }
      return agent != null ? agent.equals(agentId) : facts.concerns(agentId);
    }
  }

  /**
   * One transaction in flight at most, over the submissions handed to it in order; and beside it up to
   * {@link #MAX_AHEAD} written ahead, of decisions each about an agent none of the others in flight is about.
   */
  private static final class Lane {
    final Deque<Submission> pending = new ArrayDeque<>();
    boolean writing;
    /** What the transaction in flight took. */
    List<Submission> inFlight = List.of();
    /** The transactions of decisions written ahead and not committed yet; the lane's next transaction waits for them. */
    final List<List<Submission>> ahead = new ArrayList<>();
    /**
     * Decisions (with their agents' facts queued before them) to write ahead once those are committed, or to lead the
     * lane's next transaction.
     */
    List<Submission> aheadNext = new ArrayList<>();
    /**
     * Decisions (with their agents' facts queued before them) whose agents have facts in the transaction in flight:
     * written ahead as soon as it commits, not after the lane's pause and with everything queued meanwhile.
     */
    List<Submission> afterFlight = new ArrayList<>();
    /** The last submission handed to it: what an empty submission waits for. */
    Future<Void> last;

    /**
     * What of {@code agentId}'s must go ahead with a decision about it: its queued submissions, in order (none: an
     * empty list), when each is about it alone; null when one is about several agents (taken ahead, it would overtake
     * the others' earlier facts).
     */
    List<Submission> queuedOf(String agentId) {
      List<Submission> queued = null;
      for (Submission s : pending) {
        if (s.concerns(agentId)) {
          if (s.agent == null) {
            return null;
          }
          if (queued == null) {
            queued = new ArrayList<>();
          }
          queued.add(s);
        }
      }
      return queued == null ? List.of() : queued;
    }

    /** Whether a transaction written ahead and not committed yet has facts of {@code agentId}'s. */
    boolean writingAhead(String agentId) {
      for (List<Submission> transaction : ahead) {
        for (Submission s : transaction) {
          if (s.concerns(agentId)) {
            return true;
          }
        }
      }
      return false;
    }

    /**
     * Whether a decision about {@code agentId} must wait for the transaction in flight: it has the agent's facts, or
     * decisions waiting for it do.
     */
    boolean behindFlight(String agentId) {
      for (Submission s : inFlight) {
        if (s.concerns(agentId)) {
          return true;
        }
      }
      for (Submission s : afterFlight) {
        if (s.concerns(agentId)) {
          return true;
        }
      }
      return false;
    }
  }

  private final Vertx vertx;
  private final Store store;
  /**
   * Where {@link #submit} is called (the policy's), set at the first one; and where the store's writes run, set once
   * the writing loop is deployed (at once for a store that writes in place).
   */
  private Context caller;
  private Context writing;
  private Future<Void> started;
  private final int maxBacklog;
  private final Duration retryAfter;
  private final Duration writeTimeout;
  private final Duration linger;
  private final Lane[] lanes;
  private final Timer commitLatency;
  private final Timer decisionCommit;
  private final Counter resultsWritten;
  private final Counter writtenAhead;
  private int backlog;
  private String outage;
  private Instant outageSince;

  public StoreWriter(Vertx vertx, Store store, int maxBacklog, Duration retryAfter, Duration writeTimeout,
                     MeterRegistry registry) {
    this(vertx, store, maxBacklog, retryAfter, writeTimeout, 1, registry);
  }

  /**
   * @param writeTimeout a write not committed by then counts as failed (the store is down, not slow): its facts stay
   *                     queued, the store's connections are replaced rather than waited on, and it is tried again
   * @param lanes        how many transactions may be in flight at once (one per lane of agents)
   */
  public StoreWriter(Vertx vertx, Store store, int maxBacklog, Duration retryAfter, Duration writeTimeout, int lanes,
                     MeterRegistry registry) {
    this(vertx, store, maxBacklog, retryAfter, writeTimeout, lanes, Duration.ZERO, registry);
  }

  /**
   * @param linger how long a lane waits after a commit before its next transaction, gathering what comes meanwhile
   *               ({@link #LINGER}); zero: the next one starts at once. Not for a store that writes in place.
   */
  public StoreWriter(Vertx vertx, Store store, int maxBacklog, Duration retryAfter, Duration writeTimeout, int lanes,
                     Duration linger, MeterRegistry registry) {
    this.linger = store.writesInPlace() ? Duration.ZERO : linger;
    this.vertx = vertx;
    this.store = store;
    this.maxBacklog = maxBacklog;
    this.retryAfter = retryAfter;
    this.writeTimeout = writeTimeout;
    this.lanes = new Lane[Math.max(1, lanes)];
    for (int i = 0; i < this.lanes.length; i++) {
      this.lanes[i] = new Lane();
    }
    this.commitLatency = Timer.builder("kelpie_store_commit").description("time from receipt to commit")
      .publishPercentiles(0.5, 0.99).register(registry);
    this.decisionCommit = Timer.builder("kelpie_store_decision_commit")
      .description("time from a decision's facts handed over to their commit: what its commands wait for")
      .publishPercentiles(0.5, 0.99).register(registry);
    Gauge.builder("kelpie_store_backlog", this, w -> w.backlog).description("facts waiting to be written")
      .register(registry);
    Gauge.builder("kelpie_store_up", this, w -> w.outage == null ? 1 : 0).register(registry);
    this.resultsWritten = Counter.builder("kelpie_store_results_written").description("probe results committed")
      .register(registry);
    this.writtenAhead = Counter.builder("kelpie_store_written_ahead")
      .description("decisions written in a transaction of their own, ahead of their lane's queue").register(registry);
  }

  /**
   * Takes the calling context as the one {@link #submit} is called from, and readies the loop the writes run on;
   * completes once it is up. The first submission does it if nobody did (its facts then wait in their lanes).
   */
  public Future<Void> start() {
    if (caller != null) {
      return started;
    }
    caller = vertx.getOrCreateContext();
    if (store.writesInPlace()) {
      writing = caller;
      started = Future.succeededFuture();
      return started;
    }
    started = WritingLoop.besides(vertx, Thread.currentThread(), 16).transform(deployed -> {
      Promise<Void> up = Promise.promise();
      on(caller, () -> {
        if (deployed.failed()) {
          log.warn("no loop of its own for the store's writes, they run on the caller's: {}",
            deployed.cause().getMessage());
        }
        writing = deployed.succeeded() ? deployed.result() : caller;
        for (Lane lane : lanes) {
          flush(lane);
        }
        up.complete();
      });
      return up.future();
    });
    return started;
  }

  /**
   * Completes when these facts (and all submitted before for the same agents) are committed; empty facts, when all
   * submitted before are.
   */
  public Future<Void> submit(Facts facts) {
    if (caller == null) {
      start();
    }
    long now = System.nanoTime();
    backlog += facts.size();
    if (lanes.length == 1) {
      return into(lanes[0], facts, now);
    }
    if (facts.isEmpty()) {
      List<Future<Void>> before = new ArrayList<>();
      for (Lane lane : lanes) {
        if (lane.last != null) {
          before.add(lane.last);
        }
      }
      return Future.join(before).transform(all -> Future.succeededFuture());
    }
    String agent = facts.soleAgent();
    if (agent != null) {
      // a batch's facts, about its one agent: the walk that found it is the only one, a decision's look-up included
      return into(lanes[Facts.laneOf(agent, lanes.length)], new Submission(facts, Promise.promise(), now, agent));
    }
    Facts[] parts = facts.byLane(lanes.length);
    List<Future<Void>> committed = new ArrayList<>(lanes.length);
    for (int i = 0; i < lanes.length; i++) {
      if (parts[i] != null && !parts[i].isEmpty()) {
        committed.add(into(lanes[i], parts[i], now));
      }
    }
    return committed.size() == 1 ? committed.get(0) : Future.all(committed).mapEmpty();
  }

  /**
   * As {@link #submit}, for facts whose commands wait for their commit (a decision): when they are about one agent
   * with nothing uncommitted in its lane, they are written at once in a transaction of their own rather than after the
   * lane's transaction in flight and then with everything queued behind it.
   */
  public Future<Void> submitAhead(Facts facts) {
    long submitted = System.nanoTime();
    return ahead(facts).onSuccess(v -> decisionCommit.record(System.nanoTime() - submitted, TimeUnit.NANOSECONDS));
  }

  private Future<Void> ahead(Facts facts) {
    if (caller == null) {
      start();
    }
    String agent = facts.isEmpty() || store.writesInPlace() || writing == null || outage != null ? null
      : facts.soleAgent();
    Lane lane = agent == null ? null : lanes[Facts.laneOf(agent, lanes.length)];
    if (lane == null || !lane.writing || lane.pending.size() > MAX_QUEUE_AHEAD) {
      return submit(facts);
    }
    List<Submission> queued = lane.queuedOf(agent);
    if (queued == null) {
      return submit(facts);
    }
    boolean behindFlight = lane.behindFlight(agent);
    long now = System.nanoTime();
    backlog += facts.size();
    Submission decision = new Submission(facts, Promise.promise(), now, agent);
    Future<Void> committed = decision.committed().future();
    lane.last = lane.last == null ? committed : Future.all(lane.last, committed).mapEmpty();
    writtenAhead.increment();
    List<Submission> goingAhead = behindFlight ? lane.afterFlight : lane.aheadNext;
    if (!queued.isEmpty()) {   // the agent's facts queued before it go ahead with it, in their order
      lane.pending.removeIf(queued::contains);
      goingAhead.addAll(queued);
    }
    goingAhead.add(decision);
    if (!behindFlight) {
      writeAhead(lane);
    }
    return committed;
  }

  /**
   * Writes the decisions waiting to go ahead in one transaction beside the lane's, when fewer than {@link #MAX_AHEAD}
   * are: those about agents none of the transactions written ahead in flight is about (the others, with their agents'
   * facts after them, wait for those to commit). Each is about an agent that had nothing else uncommitted in the lane
   * when it came (so none is in the transaction in flight), and whatever of that agent's came after it is queued
   * behind it: any order among them and with the lane's transaction in flight.
   */
  private void writeAhead(Lane lane) {
    if (lane.ahead.size() >= MAX_AHEAD || lane.aheadNext.isEmpty()) {
      return;
    }
    List<Submission> taken = new ArrayList<>();
    List<Submission> waiting = new ArrayList<>();
    for (Submission s : lane.aheadNext) {
      (lane.writingAhead(s.agent) ? waiting : taken).add(s);
    }
    if (taken.isEmpty()) {
      return;
    }
    lane.aheadNext = waiting;
    lane.ahead.add(taken);
    write(taken, () -> {
      lane.ahead.remove(taken);
      if (lane.writing) {
        writeAhead(lane);
      } else {
        flush(lane);
      }
    }, failed -> {
      lane.ahead.remove(taken);
      // back in the lane, in their order; what waited to go ahead after them (perhaps about their agents) behind them
      List<Submission> back = new ArrayList<>(taken);
      back.addAll(lane.aheadNext);
      lane.aheadNext = new ArrayList<>();
      for (int i = back.size() - 1; i >= 0; i--) {
        lane.pending.addFirst(back.get(i));
      }
      vertx.setTimer(retryAfter.toMillis(), id -> flush(lane));
    });
  }

  private Future<Void> into(Lane lane, Facts facts, long queuedNanos) {
    return into(lane, new Submission(facts, Promise.promise(), queuedNanos));
  }

  private Future<Void> into(Lane lane, Submission submission) {
    lane.pending.addLast(submission);
    lane.last = submission.committed().future();
    flush(lane);
    return submission.committed().future();
  }

  /** Over the bound: new reports should be refused (the agents keep them) until the backlog drains. */
  public boolean full() {
    return backlog >= maxBacklog;
  }

  public boolean up() {
    return outage == null;
  }

  public JsonObject status() {
    return new JsonObject().put("kind", store.kind()).put("state", outage == null ? "up" : "down")
      .put("backlog", backlog).put("reason", outage)
      .put("downSince", outageSince == null ? null : outageSince.toString());
  }

  private void flush(Lane lane) {
    if (writing == null || lane.writing || !lane.ahead.isEmpty()
      || lane.pending.isEmpty() && lane.aheadNext.isEmpty()) {
      return;
    }
    List<Submission> taken = lane.aheadNext;   // decisions that waited to go ahead lead: they came before their
    lane.aheadNext = new ArrayList<>();         // agents' facts queued behind
    int size = 0;
    for (Submission decision : taken) {
      size += decision.facts().size();
    }
    while (!lane.pending.isEmpty() && (taken.isEmpty() || size + lane.pending.peekFirst().facts().size()
      <= MAX_FACTS_PER_WRITE)) {
      Submission next = lane.pending.removeFirst();
      size += next.facts().size();
      taken.add(next);
    }
    lane.writing = true;
    lane.inFlight = taken;
    write(taken, () -> {
      lane.inFlight = List.of();
      if (!lane.afterFlight.isEmpty()) {   // the decisions that waited for it go ahead now, as if they came now
        lane.aheadNext.addAll(lane.afterFlight);
        lane.afterFlight = new ArrayList<>();
        writeAhead(lane);
      }
      if (linger.isZero()) {
        lane.writing = false;
        flush(lane);
      } else {
        vertx.setTimer(linger.toMillis(), id -> {   // still "writing" meanwhile: facts queue, decisions go ahead
          lane.writing = false;
          flush(lane);
        });
      }
    }, failed -> {
      for (int i = lane.afterFlight.size() - 1; i >= 0; i--) {   // they came after what was in flight
        lane.pending.addFirst(lane.afterFlight.get(i));
      }
      lane.afterFlight = new ArrayList<>();
      for (int i = taken.size() - 1; i >= 0; i--) {
        lane.pending.addFirst(taken.get(i));
      }
      lane.inFlight = List.of();
      vertx.setTimer(retryAfter.toMillis(), id -> {
        lane.writing = false;
        flush(lane);
      });
    });
  }

  /**
   * One transaction of {@code taken}, run on the writing context; then, back on the caller's, {@code done} (and
   * whatever waited for it), or {@code failed}. A store that writes in place does it all in this turn.
   */
  private void write(List<Submission> taken, Runnable done, java.util.function.Consumer<Throwable> failed) {
    on(writing, () -> store.write(merged(taken)).timeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS)
      .onComplete(result -> on(caller, () -> written(taken, result, done, failed))));
  }

  /**
   * Runs {@code work} on {@code context} as its next task; at once for a store that writes in place (where writing is
   * the caller's context, and the policy's handlers run on duplicates of it, so the context is not compared).
   */
  private void on(Context context, Runnable work) {
    if (writing == caller && store.writesInPlace()) {
      work.run();
    } else {
      context.runOnContext(v -> work.run());
    }
  }

  private static Facts merged(List<Submission> taken) {
    if (taken.size() == 1) {
      return taken.get(0).facts();
    }
    Facts merged = new Facts();
    taken.forEach(s -> merged.addAll(s.facts()));
    return merged;
  }

  private void written(List<Submission> taken, AsyncResult<Void> result, Runnable done,
                       java.util.function.Consumer<Throwable> failed) {
    if (result.succeeded()) {
      long now = System.nanoTime();
      int written = 0;
      for (Submission s : taken) {
        written += s.facts().size();
        resultsWritten.increment(s.facts().results.size());
        backlog -= s.facts().size();
        commitLatency.record(Duration.ofNanos(now - s.queuedNanos()));
        s.committed().complete();
      }
      if (outage != null) {
        log.warn("store is back after {}: {} held facts written, {} still waiting",
          Duration.between(outageSince, Instant.now()), written, backlog);
        outage = null;
        outageSince = null;
      }
      done.run();
    } else {
      String why = result.cause() instanceof TimeoutException
        ? "a write did not complete within " + writeTimeout.toMillis() + " ms"
        : String.valueOf(result.cause().getMessage());
      if (outage == null) {
        outageSince = Instant.now();
        log.error("store write failed, deciding from memory and holding {} facts until it returns: {}", backlog,
          why);
      }
      outage = why;
      if (result.cause() instanceof TimeoutException) {
        store.replaceConnections();
      }
      failed.accept(result.cause());
    }
  }

  /**
   * A verticle that does nothing but lend its context: an event loop of its own for the store's writes (the writes'
   * pool makes its connections on the context that first asks, so they all live there).
   */
  static final class WritingLoop extends VerticleBase {

    private Thread thread;

    @Override
    public Future<?> start() {
      thread = Thread.currentThread();
      return Future.succeededFuture();
    }

    /**
     * The context of a writing loop on another thread than {@code callers}, deployed again (up to {@code tries} times)
     * while Vert.x's turn puts it on that thread; the last one deployed if none is elsewhere (a single event loop).
     */
    static Future<Context> besides(Vertx vertx, Thread callers, int tries) {
      WritingLoop loop = new WritingLoop();
      return vertx.deployVerticle(loop).compose(id -> loop.thread != callers || tries <= 1
        ? Future.succeededFuture(loop.context)
        : vertx.undeploy(id).compose(undeployed -> besides(vertx, callers, tries - 1)));
    }
  }
}
