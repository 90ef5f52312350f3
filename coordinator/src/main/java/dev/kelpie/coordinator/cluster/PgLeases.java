package dev.kelpie.coordinator.cluster;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Leases kept in PostgreSQL, each operation one compare-and-set statement, so the database decides a race: two nodes
 * acquiring the same agent at once serialize on its row, and the loser sees a live lease and is refused. Expiry is
 * judged by the database's clock, never a node's. A released lease ends at once but keeps its holder's name: the
 * node that let the agent go still tracks its silence, and if that node dies too the agent is an orphan another node
 * must watch ({@link #claimOrphans}); a claimed orphan's lease is released in its claimer's name, so if the claimer
 * dies in turn the agent is an orphan again and another node claims it.
 */
public final class PgLeases implements Leases {

  private static final String UNTIL = "now() + make_interval(secs => $3::double precision / 1000)";

  /**
   * Takes the agents' leases (distinct, sorted: two nodes lock rows in the same order, so they never deadlock) where
   * free, expired, already this node's or held by a node that left ($5); returns those granted.
   */
  private static final String ACQUIRE_ALL = "INSERT INTO agent_leases AS l (agent_id, owner_node, epoch, expires_at) "
    + "SELECT a.agent_id, $2, GREATEST($4::int8, 1), " + UNTIL + " FROM UNNEST($1::text[]) AS a(agent_id) "
    + "ON CONFLICT (agent_id) DO UPDATE SET owner_node = EXCLUDED.owner_node, epoch = GREATEST(l.epoch + 1, $4::int8), "
    + "expires_at = EXCLUDED.expires_at "
    + "WHERE l.owner_node IS NULL OR l.expires_at <= now() OR l.owner_node = EXCLUDED.owner_node "
    + "OR l.owner_node = ANY($5::text[]) "
    + "RETURNING agent_id, owner_node, epoch, expires_at";

  private static final String CLAIM_ORPHANS = "UPDATE agent_leases SET owner_node = $3, expires_at = now() "
    + "WHERE owner_node IS NOT NULL AND owner_node <> ALL($1::text[]) "
    + "AND expires_at <= now() - make_interval(secs => $2::double precision / 1000) RETURNING agent_id";

  private static final String RENEW = "UPDATE agent_leases SET expires_at = " + UNTIL + " "
    + "WHERE agent_id = $1 AND owner_node = $2 AND epoch = $4 AND expires_at > now() "
    + "RETURNING agent_id, owner_node, epoch, expires_at";

  private static final String RELEASE = "UPDATE agent_leases SET expires_at = now() "
    + "WHERE agent_id = $1 AND owner_node = $2 AND epoch = $3 AND expires_at > now()";

  private static final String RENEW_ALL = "UPDATE agent_leases l SET expires_at = " + UNTIL.replace("$3", "$2") + " "
    + "FROM UNNEST($3::text[], $4::int8[]) AS mine(agent_id, epoch) "
    + "WHERE l.agent_id = mine.agent_id AND l.epoch = mine.epoch AND l.owner_node = $1 AND l.expires_at > now() "
    + "RETURNING l.agent_id, l.owner_node, l.epoch, l.expires_at";

  private static final String HELD_ELSEWHERE = "SELECT agent_id FROM agent_leases WHERE agent_id = ANY($1) "
    + "AND owner_node IS NOT NULL AND owner_node <> $2 AND expires_at > now()";

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
  public Future<Optional<Lease>> acquire(String agentId, long floor) {
    return acquire(agentId, floor, List.of());
  }

  @Override
  public Future<Optional<Lease>> acquire(String agentId, long floor, Collection<String> departed) {
    return acquireAll(List.of(agentId), floor, departed).map(granted -> Optional.ofNullable(granted.get(agentId)));
  }

  @Override
  public Future<Map<String, Lease>> acquireAll(Collection<String> agentIds, long floor, Collection<String> departed) {
    if (agentIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    String[] sorted = new TreeSet<>(agentIds).toArray(String[]::new);
    return pool.preparedQuery(ACQUIRE_ALL).execute(Tuple.of(sorted, node, term.toMillis(), floor,
      departed.toArray(String[]::new))).map(rows -> {
        Map<String, Lease> granted = new HashMap<>();
        rows.forEach(row -> granted.put(row.getString(0), lease(row)));
        return granted;
      });
  }

  @Override
  public Future<List<String>> claimOrphans(Collection<String> members, Duration grace) {
    return pool.preparedQuery(CLAIM_ORPHANS).execute(Tuple.of(members.toArray(String[]::new), grace.toMillis(), node))
      .map(rows -> {
        List<String> claimed = new ArrayList<>();
        rows.forEach(row -> claimed.add(row.getString(0)));
        return claimed;
      });
  }

  @Override
  public Future<List<Lease>> renewAll(Collection<Lease> leases) {
    List<Lease> mine = leases.stream().filter(lease -> node.equals(lease.ownerNode())).toList();
    if (mine.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(RENEW_ALL).execute(Tuple.of(node, term.toMillis(),
        mine.stream().map(Lease::agentId).toArray(String[]::new), mine.stream().map(Lease::epoch).toArray(Long[]::new)))
      .map(rows -> {
        List<Lease> renewed = new ArrayList<>();
        rows.forEach(row -> renewed.add(lease(row)));
        return renewed;
      });
  }

  @Override
  public Future<Set<String>> heldElsewhere(Collection<String> agentIds) {
    if (agentIds.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return pool.preparedQuery(HELD_ELSEWHERE).execute(Tuple.of(agentIds.toArray(String[]::new), node))
      .map(rows -> {
        Set<String> held = new HashSet<>();
        rows.forEach(row -> held.add(row.getString(0)));
        return held;
      });
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
    return Optional.of(lease(rows.iterator().next()));
  }

  private static Lease lease(Row row) {
    return new Lease(row.getString(0), row.getString(1), row.getLong(2), row.getOffsetDateTime(3).toInstant());
  }
}
