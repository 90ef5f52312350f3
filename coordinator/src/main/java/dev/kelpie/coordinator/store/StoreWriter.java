package dev.kelpie.coordinator.store;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
 * once it is committed: that is when an agent's reports are acknowledged. When the store fails, the facts stay
 * queued (up to a bound) and are retried until it returns; the policy goes on deciding from memory meanwhile.
 * Used from the policy verticle's context only.
 */
public final class StoreWriter {

  private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);
  private static final int MAX_FACTS_PER_WRITE = 20_000;

  private record Submission(Facts facts, Promise<Void> committed, long queuedNanos) {
  }

  private final Vertx vertx;
  private final Store store;
  private final int maxBacklog;
  private final Duration retryAfter;
  private final Duration writeTimeout;
  private final Deque<Submission> queue = new ArrayDeque<>();
  private final Timer commitLatency;
  private int backlog;
  private boolean writing;
  private String outage;
  private Instant outageSince;

  /**
   * @param writeTimeout a write not committed by then counts as failed (the store is down, not slow): its facts stay
   *                     queued, the store's connections are replaced rather than waited on, and it is tried again
   */
  public StoreWriter(Vertx vertx, Store store, int maxBacklog, Duration retryAfter, Duration writeTimeout,
                     MeterRegistry registry) {
    this.vertx = vertx;
    this.store = store;
    this.maxBacklog = maxBacklog;
    this.retryAfter = retryAfter;
    this.writeTimeout = writeTimeout;
    this.commitLatency = Timer.builder("kelpie_store_commit").description("time from receipt to commit")
      .publishPercentiles(0.5, 0.99).register(registry);
    Gauge.builder("kelpie_store_backlog", this, w -> w.backlog).description("facts waiting to be written")
      .register(registry);
    Gauge.builder("kelpie_store_up", this, w -> w.outage == null ? 1 : 0).register(registry);
  }

  /** Completes when these facts (and all submitted before) are committed. */
  public Future<Void> submit(Facts facts) {
    Promise<Void> committed = Promise.promise();
    queue.addLast(new Submission(facts, committed, System.nanoTime()));
    backlog += facts.size();
    flush();
    return committed.future();
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

  private void flush() {
    if (writing || queue.isEmpty()) {
      return;
    }
    List<Submission> taken = new ArrayList<>();
    Facts merged = new Facts();
    while (!queue.isEmpty() && (taken.isEmpty() || merged.size() + queue.peekFirst().facts().size()
      <= MAX_FACTS_PER_WRITE)) {
      Submission next = queue.removeFirst();
      merged.addAll(next.facts());
      taken.add(next);
    }
    writing = true;
    store.write(merged).timeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS).onComplete(done -> {
      writing = false;
      if (done.succeeded()) {
        long now = System.nanoTime();
        int written = merged.size();
        taken.forEach(s -> {
          backlog -= s.facts().size();
          commitLatency.record(Duration.ofNanos(now - s.queuedNanos()));
          s.committed().complete();
        });
        if (outage != null) {
          log.warn("store is back after {}: {} held facts written, {} still waiting",
            Duration.between(outageSince, Instant.now()), written, backlog);
          outage = null;
          outageSince = null;
        }
        flush();
      } else {
        for (int i = taken.size() - 1; i >= 0; i--) {
          queue.addFirst(taken.get(i));
        }
        String why = done.cause() instanceof TimeoutException
          ? "a write did not complete within " + writeTimeout.toMillis() + " ms"
          : String.valueOf(done.cause().getMessage());
        if (outage == null) {
          outageSince = Instant.now();
          log.error("store write failed, deciding from memory and holding {} facts until it returns: {}", backlog,
            why);
        }
        outage = why;
        if (done.cause() instanceof TimeoutException) {
          store.replaceConnections();
        }
        vertx.setTimer(retryAfter.toMillis(), id -> flush());
      }
    });
  }
}
