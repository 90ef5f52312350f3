package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.coordinator.alert.Delivery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert outbox in memory: deliveries survive nothing (like the rest of the memory store), the newest
 * {@value #KEPT} are kept. Alerts need no row here: without a database, none outlives a restart to be routed.
 */
final class MemoryAlertOutbox implements AlertOutbox {

  static final int KEPT = 10_000;

  private final Map<String, Delivery> deliveries = new LinkedHashMap<>();

  @Override
  public Future<List<JsonObject>> unrouted() {
    return Future.succeededFuture(List.of());
  }

  @Override
  public synchronized Future<List<Delivery>> routed(List<String> alertIds, List<Delivery> made) {
    made.forEach(delivery -> deliveries.putIfAbsent(delivery.id(), delivery));
    var it = deliveries.values().iterator();
    while (deliveries.size() > KEPT && it.hasNext()) {
      if (it.next().state() != Delivery.State.PENDING) {
        it.remove();
      }
    }
    return Future.succeededFuture(made);
  }

  @Override
  public synchronized Future<Void> update(Delivery delivery) {
    deliveries.replace(delivery.id(), delivery);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Delivery>> unfinished() {
    return Future.succeededFuture(deliveries.values().stream().filter(d -> d.state() == Delivery.State.PENDING)
      .toList());
  }

  @Override
  public synchronized Future<JsonArray> deliveries(Delivery.State state, String receiver, int limit, Instant before) {
    List<Delivery> all = new ArrayList<>(deliveries.values());
    JsonArray page = new JsonArray();
    for (int i = all.size() - 1; i >= 0 && page.size() < limit; i--) {
      Delivery d = all.get(i);
      if ((state == null || d.state() == state) && (receiver == null || d.receiver().equals(receiver))
        && (before == null || d.createdAt().isBefore(before))) {
        page.add(d.toJson());
      }
    }
    return Future.succeededFuture(page);
  }
}
