package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.coordinator.alert.Delivery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
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

  /**
   * The alerts are marked routed first, only those not routed yet: a coordinator routing the same alert at the same
   * time holds its row until it commits, and then this one sees it routed and leaves it out. An alert with no row
   * (raised before its facts were written, as a test may do) is routed as it is.
   */
  @Override
  public Future<List<Delivery>> routed(List<String> alertIds, List<Delivery> deliveries) {
    String[] ids = alertIds.toArray(new String[0]);
    return pool.get().withTransaction(conn -> conn.preparedQuery("UPDATE alerts SET routed = TRUE WHERE id = ANY($1) "
        + "AND NOT routed RETURNING id").execute(Tuple.of((Object) ids))
      .compose(claimed -> conn.preparedQuery("SELECT id FROM alerts WHERE id = ANY($1)").execute(Tuple.of((Object) ids))
        .map(present -> {
          Set<String> mine = new HashSet<>(alertIds);
          present.forEach(row -> mine.remove(row.getString(0)));
          claimed.forEach(row -> mine.add(row.getString(0)));
          return mine;
        }))
      .compose(mine -> {
        List<Delivery> kept = new ArrayList<>();
        for (Delivery delivery : deliveries) {
          JsonArray alerts = new JsonArray();
          delivery.alerts().forEach(alert -> {
            if (mine.contains(((JsonObject) alert).getString("id"))) {
              alerts.add(alert);
            }
          });
          if (!alerts.isEmpty()) {
            kept.add(alerts.size() == delivery.alerts().size() ? delivery : new Delivery(delivery.id(),
              delivery.receiver(), delivery.createdAt(), alerts, delivery.state(), delivery.attempts(),
              delivery.nextAt(), delivery.lastError(), delivery.finishedAt()));
          }
        }
        Future<?> inserted = Future.succeededFuture();
        for (Delivery delivery : kept) {
          inserted = inserted.compose(v -> conn.preparedQuery("INSERT INTO alert_deliveries (" + DELIVERY_COLUMNS
              + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING")
            .execute(tuple(delivery)));
        }
        return inserted.map(v -> kept);
      }));
  }

  @Override
  public Future<Boolean> claim(String deliveryId, String node, Duration term) {
    return pool.get().preparedQuery("UPDATE alert_deliveries SET claimed_by = $2, "
        + "claimed_until = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1 AND state = "
        + "'pending' AND (claimed_by IS NULL OR claimed_by = $2 OR claimed_until <= now())")
      .execute(Tuple.of(deliveryId, node, term.toMillis())).map(rows -> rows.rowCount() == 1);
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
