package dev.kelpie.agent.probe;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Stuck jobs, listed (a dry run) or set to failed. The change is one UPDATE, so one transaction, whose condition is
 * the stuck condition itself: a row finished since it was listed is left alone, and a row already set to failed is
 * never changed again.
 */
final class JobsRemediation {

  /** What a remediation found, and whether it changed it: the ids as text, in order. */
  record Outcome(boolean dryRun, List<String> ids) {
    Outcome {
      ids = List.copyOf(ids);
    }
  }

  private final JobsTarget target;

  JobsRemediation(JobsTarget target) {
    this.target = target;
  }

  Future<Outcome> dryRun(SqlClient client) {
    return client.preparedQuery("SELECT " + q(target.idColumn()) + "::text FROM " + target.quotedTable() + " WHERE "
        + stuck() + " ORDER BY " + q(target.idColumn()))
      .execute(Tuple.of(target.stuckStatus(), seconds()))
      .map(rows -> new Outcome(true, ids(rows)));
  }

  Future<Outcome> run(SqlClient client, String reason) {
    String set = q(target.statusColumn()) + " = $3, " + q(target.timeColumn()) + " = now()"
      + (target.reasonColumn() == null ? "" : ", " + q(target.reasonColumn()) + " = $4");
    Tuple parameters = Tuple.of(target.stuckStatus(), seconds(), target.failedStatus());
    if (target.reasonColumn() != null) {
      parameters.addString(reason);
    }
    return client.preparedQuery("UPDATE " + target.quotedTable() + " SET " + set + " WHERE " + stuck()
        + " RETURNING " + q(target.idColumn()) + "::text")
      .execute(parameters)
      .map(rows -> new Outcome(false, ids(rows).stream().sorted(JobsRemediation::byNumberThenText).toList()));
  }

  /** The stuck condition, with $1 the stuck status and $2 the age in seconds. */
  String stuck() {
    return q(target.statusColumn()) + "::text = $1 AND " + q(target.timeColumn())
      + " < now() - make_interval(secs => $2)";
  }

  double seconds() {
    return target.stuckAfter().toMillis() / 1000.0;
  }

  private static List<String> ids(Iterable<Row> rows) {
    List<String> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.getString(0)));
    return ids;
  }

  private static int byNumberThenText(String a, String b) {
    boolean numbers = a.matches("-?\\d{1,18}") && b.matches("-?\\d{1,18}");
    return numbers ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : a.compareTo(b);
  }

  private static String q(String name) {
    return JobsTarget.quote(name);
  }
}
