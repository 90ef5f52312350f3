package dev.kelpie.coordinator.alert;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where alerts wait to be delivered: the alerts themselves are written with the facts that raised them (by the
 * store); here they are routed into deliveries, and each delivery's tries are recorded, so a restart loses none.
 */
public interface AlertOutbox {

  /** Alerts committed but not routed yet, oldest first (after a restart: those raised just before it). */
  Future<List<JsonObject>> unrouted();

  /**
   * Records the deliveries made of these alerts and marks them routed, in one transaction; answers the deliveries
   * recorded. An alert another coordinator routed first is left out of them (a delivery left with none is dropped),
   * so each alert is routed once across coordinators.
   */
  Future<List<Delivery>> routed(List<String> alertIds, List<Delivery> deliveries);

  /**
   * Claims the delivery for {@code node} for {@code term} before a try: true when it is still pending and unclaimed,
   * already this node's, or its claim ran out; false when another node is trying it. Alone, always true.
   */
  default Future<Boolean> claim(String deliveryId, String node, Duration term) {
    return Future.succeededFuture(true);
  }

  /** Records a try's outcome. */
  Future<Void> update(Delivery delivery);

  /** Deliveries still pending, oldest first. */
  Future<List<Delivery>> unfinished();

  /** Deliveries newest first, filtered by state and receiver when given, older than {@code before} when set. */
  Future<JsonArray> deliveries(Delivery.State state, String receiver, int limit, Instant before);
}
