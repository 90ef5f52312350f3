package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Leases kept in PostgreSQL, each operation one compare-and-set statement, so the database decides a race: two nodes
 * acquiring the same agent at once serialize on its row, and the loser sees a live lease and is refused. Expiry is
 * judged by the database's clock, never a node's.
 */
public final class PgLeases implements Leases {

  private static final String UNTIL = "now() + make_interval(secs => $3::double precision / 1000)";

  private static final String ACQUIRE = "INSERT INTO agent_leases AS l (agent_id, owner_node, epoch, expires_at) "
    + "VALUES ($1, $2, 1, " + UNTIL + ") "
    + "ON CONFLICT (agent_id) DO UPDATE SET owner_node = EXCLUDED.owner_node, epoch = l.epoch + 1, "
    + "expires_at = EXCLUDED.expires_at "
    + "WHERE l.owner_node IS NULL OR l.expires_at <= now() OR l.owner_node = EXCLUDED.owner_node "
    + "RETURNING agent_id, owner_node, epoch, expires_at";

  private static final String RENEW = "UPDATE agent_leases SET expires_at = " + UNTIL + " "
    + "WHERE agent_id = $1 AND owner_node = $2 AND epoch = $4 AND expires_at > now() "
    + "RETURNING agent_id, owner_node, epoch, expires_at";

  private static final String RELEASE = "UPDATE agent_leases SET owner_node = NULL, expires_at = now() "
    + "WHERE agent_id = $1 AND owner_node = $2 AND epoch = $3 AND expires_at > now()";

  private static final String HOLDER = "SELECT agent_id, owner_node, epoch, expires_at FROM agent_leases "
    + "WHERE agent_id = $1 AND owner_node IS NOT NULL AND expires_at > now()";

  private final Pool pool;
  private final String node;
  private final Duration term;

  /** {@code term}: how long a lease lasts without renewal; renew well within it. */
  public PgLeases(Pool pool, String node, Duration term) {
    this.pool = Objects.requireNonNull(pool);
    this.node = Objects.requireNonNull(node);
    if (term.isNegative() || term.isZero()) {
      throw new IllegalArgumentException("a lease term must be positive, got " + term);
    }
    this.term = term;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public Future<Optional<Lease>> acquire(String agentId) {
    return pool.preparedQuery(ACQUIRE).execute(Tuple.of(agentId, node, term.toMillis())).map(PgLeases::first);
  }

  @Override
  public Future<Optional<Lease>> renew(Lease lease) {
    if (!node.equals(lease.ownerNode())) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery(RENEW).execute(Tuple.of(lease.agentId(), node, term.toMillis(), lease.epoch()))
      .map(PgLeases::first);
  }

  @Override
  public Future<Boolean> release(Lease lease) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(lease.agentId(), node, lease.epoch()))
      .map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Optional<Lease>> holder(String agentId) {
    return pool.preparedQuery(HOLDER).execute(Tuple.of(agentId)).map(PgLeases::first);
  }

  private static Optional<Lease> first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    return Optional.of(new Lease(row.getString(0), row.getString(1), row.getLong(2),
      row.getOffsetDateTime(3).toInstant()));
  }
}
