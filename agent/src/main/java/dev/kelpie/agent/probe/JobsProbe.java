package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts a jobs table's rows by status, and the stuck ones; down when more are stuck than allowed. The detail
 * carries every status's count ("by status: done 120, failed 2, running 5").
 */
final class JobsProbe implements Probe, Remedy {

  private final JobsTarget target;
  private final DatabasePool database;
  private final JobsRemediation remediation;

  JobsProbe(JobsTarget target, ProbeTools tools) {
    this.target = target;
    this.database = new DatabasePool(tools.vertx(), target.database());
    this.remediation = new JobsRemediation(target);
  }

  @Override
  public Future<Done> remediate(boolean dryRun, String by, String reason) {
    String written = (reason == null || reason.isBlank() ? target.statusColumn() + " '" + target.stuckStatus()
      + "' for over " + Durations.human(target.stuckAfter()) : reason) + "; set to " + target.failedStatus()
      + " by Kelpie for " + by;
    return database.bounded(new Cancellation(), pool -> dryRun ? remediation.dryRun(pool)
        : remediation.run(pool, written))
      .map(outcome -> new Done(outcome.dryRun(), outcome.ids()));
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    String status = JobsTarget.quote(target.statusColumn());
    String sql = "SELECT " + status + "::text, count(*), count(*) FILTER (WHERE " + remediation.stuck() + ") FROM "
      + target.quotedTable() + " GROUP BY 1 ORDER BY 1";
    return database.bounded(cancellation, pool -> pool.preparedQuery(sql)
        .execute(Tuple.of(target.stuckStatus(), remediation.seconds())))
      .map(rows -> {
        long stuck = 0;
        List<String> counts = new ArrayList<>();
        for (Row row : rows) {
          counts.add((row.getString(0) == null ? "(null)" : row.getString(0)) + " " + row.getLong(1));
          stuck += row.getLong(2);
        }
        String said = stuck + " stuck (" + target.statusColumn() + " = '" + target.stuckStatus() + "' for over "
          + Durations.human(target.stuckAfter()) + "); by status: "
          + (counts.isEmpty() ? "no rows" : String.join(", ", counts));
        return stuck > target.maxStuck() ? Finding.down(said) : Finding.up(said);
      })
      .otherwise(failure -> Finding.down("cannot count jobs in " + target.table() + ": " + failure.getMessage()));
  }
}
