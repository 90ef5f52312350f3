package dev.kelpie.agent.probe;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;

import java.util.concurrent.TimeUnit;

/**
 * One connection to a check's database, opened when first needed with the password read then (on a worker), and
 * dropped when a run is cancelled, so a query stuck on a lock never holds the next run.
 */
final class DatabasePool {

  private final Vertx vertx;
  private final DatabaseLink link;
  private Pool pool;

  DatabasePool(Vertx vertx, DatabaseLink link) {
    this.vertx = vertx;
    this.link = link;
  }

  Pool pool() {
    if (pool == null) {
      pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1).setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS)
          .setIdleTimeout(1).setIdleTimeoutUnit(TimeUnit.MINUTES))
        .connectingTo(() -> vertx.<SqlConnectOptions>executeBlocking(link::options, false))
        .using(vertx).build();
    }
    return pool;
  }

  /** Closes the connection (a query in flight ends with it); the next use opens a new one. */
  void drop() {
    if (pool != null) {
      pool.close();
      pool = null;
    }
  }

  /** Drops the connection when the run is cancelled; words a failure as a sentence without the password. */
  <T> Future<T> bounded(Cancellation cancellation, java.util.function.Function<Pool, Future<T>> work) {
    Pool used = pool();
    cancellation.onCancel(() -> {
      if (pool == used) {
        drop();
      }
    });
    return work.apply(used);
  }
}
