package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the server whether it is a standby, then reads its side of replication: a primary each standby's state and
 * lag (bytes behind the current WAL position, replay_lag), a standby its WAL receiver, whether replay is paused, and
 * how far replay is behind what it received. Never acts on the database: a failing check only says why.
 */
final class ReplicationProbe implements Probe {

  private static final String PRIMARY = "SELECT coalesce(nullif(application_name, ''), client_addr::text, 'local'), "
    + "state, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint, "
    + "coalesce(extract(epoch FROM replay_lag), 0)::float8 FROM pg_stat_replication ORDER BY 1";
  private static final String STANDBY = "SELECT pg_is_wal_replay_paused(), "
    + "(SELECT status FROM pg_stat_wal_receiver), "
    + "coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint, "
    + "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    + "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8";

  private final ReplicationTarget target;
  private final DatabasePool database;

  ReplicationProbe(ReplicationTarget target, ProbeTools tools) {
    this.target = target;
    this.database = new DatabasePool(tools.vertx(), target.database());
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return database.bounded(cancellation, pool -> pool.query("SELECT pg_is_in_recovery()").execute()
        .compose(rows -> rows.iterator().next().getBoolean(0) ? standby(pool) : primary(pool)))
      .otherwise(failure -> Finding.down("cannot read replication: " + failure.getMessage()));
  }

  private Future<Finding> primary(Pool pool) {
    if ("standby".equals(target.role())) {
      return Future.succeededFuture(Finding.down("expected a standby, but this server is a primary"));
    }
    return pool.query(PRIMARY).execute().map(this::judgePrimary);
  }

  private Finding judgePrimary(RowSet<Row> rows) {
    List<String> standbys = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    int streaming = 0;
    for (Row row : rows) {
      String name = row.getString(0);
      String state = row.getString(1);
      String lag = lag(row.getLong(2), row.getDouble(3));
      standbys.add(name + " " + state + ", " + lag);
      if ("streaming".equals(state)) {
        streaming++;
      } else {
        wrong.add(name + " is " + state);
      }
      over(row.getLong(2), row.getDouble(3)).ifPresent(over -> wrong.add(name + " " + over));
    }
    if (streaming < target.minStandbys()) {
      wrong.add(0, streaming + (streaming == 1 ? " standby" : " standbys") + " streaming, expected at least "
        + target.minStandbys());
    }
    String said = "primary; " + (standbys.isEmpty() ? "no standbys" : String.join("; ", standbys));
    return wrong.isEmpty() ? Finding.up(said) : Finding.down(String.join(", ", wrong) + " (" + said + ")");
  }

  private Future<Finding> standby(Pool pool) {
    if ("primary".equals(target.role())) {
      return Future.succeededFuture(Finding.down("expected a primary, but this server is a standby"));
    }
    return pool.query(STANDBY).execute().map(rows -> {
      Row row = rows.iterator().next();
      boolean paused = row.getBoolean(0);
      String receiver = row.getString(1);
      long bytes = row.getLong(2);
      double seconds = row.getDouble(3);
      List<String> wrong = new ArrayList<>();
      if (receiver == null) {
        wrong.add("not replicating: no WAL receiver");
      } else if (!"streaming".equals(receiver)) {
        wrong.add("WAL receiver is " + receiver);
      }
      if (paused) {
        wrong.add("replay is paused");
      }
      over(bytes, seconds).ifPresent(wrong::add);
      String said = "standby, replay " + lag(bytes, seconds);
      return wrong.isEmpty() ? Finding.up(said) : Finding.down(String.join(", ", wrong) + "; " + said);
    });
  }

  private java.util.Optional<String> over(long bytes, double seconds) {
    List<String> over = new ArrayList<>();
    if (target.maxLag() != null && seconds * 1000 > target.maxLag().toMillis()) {
      over.add("lag over " + Durations.human(target.maxLag()));
    }
    if (target.maxLagBytes() != null && bytes > target.maxLagBytes()) {
      over.add("lag over " + DiskProbe.bytes(target.maxLagBytes()));
    }
    return over.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", over));
  }

  private static String lag(long bytes, double seconds) {
    return "lag " + DiskProbe.bytes(bytes) + " / " + Durations.human(Duration.ofMillis((long) (seconds * 1000)));
  }
}
