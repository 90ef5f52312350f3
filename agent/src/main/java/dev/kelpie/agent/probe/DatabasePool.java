package dev.kelpie.agent.probe;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One connection to a check's database, opened when first needed with the password read then (on a worker), and
 * dropped when a run is cancelled or fails, so a query stuck on a lock never holds the next run and a changed
 * password is read again.
 */
final class DatabasePool {

  private final Vertx vertx;
  private final DatabaseLink link;
  private Pool pool;

  DatabasePool(Vertx vertx, DatabaseLink link) {
    this.vertx = vertx;
    this.link = link;
  }

  private Future<Pool> pool() {
    if (pool != null) {
      return Future.succeededFuture(pool);
    }
    return vertx.executeBlocking(link::options, false).map(options -> {
      pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1).setIdleTimeout(1).setIdleTimeoutUnit(TimeUnit.MINUTES))
        .connectingTo(options).using(vertx).build();
      return pool;
    });
  }

  private void drop(Pool used) {
    if (pool == used) {
      pool = null;
    }
    used.close();
  }

  /** Runs {@code work} on the pool; the connection is dropped when the run is cancelled or fails. */
  <T> Future<T> bounded(Cancellation cancellation, Function<Pool, Future<T>> work) {
    return pool().compose(used -> {
      cancellation.onCancel(() -> drop(used));
      return work.apply(used).onFailure(failure -> drop(used));
    });
  }
}
