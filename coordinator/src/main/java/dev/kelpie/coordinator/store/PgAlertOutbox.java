package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.coordinator.alert.Delivery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import static dev.kelpie.coordinator.store.PgStore.instant;
import static dev.kelpie.coordinator.store.PgStore.time;

/** The alert outbox in PostgreSQL: tables {@code alerts} and {@code alert_deliveries}. */
final class PgAlertOutbox implements AlertOutbox {

  private static final String DELIVERY_COLUMNS = "id, receiver, created_at, alerts, state, attempts, next_at, "
    + "last_error, finished_at";

  private final Supplier<Pool> pool;

  PgAlertOutbox(Supplier<Pool> pool) {
    this.pool = pool;
  }

  @Override
  public Future<List<JsonObject>> unrouted() {
    return pool.get().query("SELECT body FROM alerts WHERE NOT routed ORDER BY n").execute().map(rows -> {
      List<JsonObject> alerts = new ArrayList<>();
      rows.forEach(r -> alerts.add((JsonObject) r.getValue(0)));
      return alerts;
    });
  }

  @Override
  public Future<Void> routed(List<String> alertIds, List<Delivery> deliveries) {
    return pool.get().withTransaction(conn -> {
      Future<?> inserted = Future.succeededFuture();
      for (Delivery delivery : deliveries) {
        inserted = inserted.compose(v -> conn.preparedQuery("INSERT INTO alert_deliveries (" + DELIVERY_COLUMNS
            + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING")
          .execute(tuple(delivery)));
      }
      return inserted.compose(v -> conn.preparedQuery("UPDATE alerts SET routed = TRUE WHERE id = ANY($1)")
        .execute(Tuple.of(alertIds.toArray(new String[0])))).mapEmpty();
    });
  }

  @Override
  public Future<Void> update(Delivery delivery) {
    return pool.get().preparedQuery("UPDATE alert_deliveries SET state = $2, attempts = $3, next_at = $4, last_error = $5, "
        + "finished_at = $6 WHERE id = $1")
      .execute(Tuple.wrap(new Object[] {delivery.id(), delivery.state().name().toLowerCase(Locale.ROOT),
        delivery.attempts(), time(delivery.nextAt()), delivery.lastError(), time(delivery.finishedAt())}))
      .mapEmpty();
  }

  @Override
  public Future<List<Delivery>> unfinished() {
    return pool.get().query("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries WHERE state = 'pending' ORDER BY n")
      .execute().map(rows -> {
        List<Delivery> list = new ArrayList<>();
        rows.forEach(r -> list.add(delivery(r)));
        return list;
      });
  }

  @Override
  public Future<JsonArray> deliveries(Delivery.State state, String receiver, int limit, Instant before) {
    return pool.get().preparedQuery("SELECT " + DELIVERY_COLUMNS + " FROM alert_deliveries WHERE ($1::text IS NULL OR "
        + "state = $1) AND ($2::text IS NULL OR receiver = $2) AND ($3::timestamptz IS NULL OR created_at < $3) "
        + "ORDER BY created_at DESC, n DESC LIMIT $4")
      .execute(Tuple.of(state == null ? null : state.name().toLowerCase(Locale.ROOT), receiver, time(before), limit))
      .map(rows -> {
        JsonArray array = new JsonArray();
        rows.forEach(r -> array.add(delivery(r).toJson()));
        return array;
      });
  }

  private static Tuple tuple(Delivery d) {
    return Tuple.wrap(new Object[] {d.id(), d.receiver(), time(d.createdAt()), d.alerts(),
      d.state().name().toLowerCase(Locale.ROOT), d.attempts(), time(d.nextAt()), d.lastError(), time(d.finishedAt())});
  }

  private static Delivery delivery(Row r) {
    return new Delivery(r.getString(0), r.getString(1), instant(r, 2), (JsonArray) r.getValue(3),
      Delivery.State.valueOf(r.getString(4).toUpperCase(Locale.ROOT)), r.getInteger(5), instant(r, 6),
      r.getString(7), instant(r, 8));
  }
}
