package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the store kept of agents taken over from another node, read for many at once. When a node dies, its agents
 * arrive at the others together, and reading each on its own (five queries per agent) queues thousands of queries
 * behind the history's writes: here the agents asked for while a read is under way wait for it and go in the next
 * read together, so a burst of a thousand takes a handful of query rounds. Called on one context (the policy's).
 */
public final class TakeoverReads implements Function<String, Future<Store.Restored>> {

  private final Vertx vertx;
  private final Store store;
  private Map<String, List<Promise<Store.Restored>>> next = new LinkedHashMap<>();
  private boolean reading;

  public TakeoverReads(Vertx vertx, Store store) {
    this.vertx = vertx;
    this.store = store;
  }

  @Override
  public Future<Store.Restored> apply(String agentId) {
    Promise<Store.Restored> restored = Promise.promise();
    next.computeIfAbsent(agentId, id -> new ArrayList<>()).add(restored);
    if (!reading) {
      reading = true;
      vertx.runOnContext(v -> read());   // the hellos answered in this turn join the first read
    }
    return restored.future();
  }

  private void read() {
    Map<String, List<Promise<Store.Restored>>> batch = next;
    next = new LinkedHashMap<>();
    if (batch.isEmpty()) {
      reading = false;
      return;
    }
    store.restoreAgents(batch.keySet()).onComplete(done -> {
      batch.forEach((agentId, waiting) -> waiting.forEach(promise -> {
        if (done.succeeded()) {
          promise.complete(done.result().only(agentId));
        } else {
          promise.fail(done.cause());
        }
      }));
      read();
    });
  }
}
