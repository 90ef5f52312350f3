package dev.kelpie.agent.probe;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the query in a read-only transaction and judges the value of its first row: a number against max and min,
 * or its text against expect.
 */
final class SqlProbe implements Probe {

  private final SqlTarget target;
  private final DatabasePool database;

  SqlProbe(SqlTarget target, ProbeTools tools) {
    this.target = target;
    this.database = new DatabasePool(tools.vertx(), target.database());
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return database.bounded(cancellation, pool -> pool.withTransaction(connection ->
        connection.query("SET TRANSACTION READ ONLY").execute()
          .compose(v -> connection.query(target.query()).execute())))
      .map(this::judge)
      .otherwise(failure -> Finding.down("query failed: " + failure.getMessage()));
  }

  private Finding judge(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Finding.down("the query returned no row");
    }
    Row row = rows.iterator().next();
    int index = target.column() == null ? 0 : row.getColumnIndex(target.column());
    if (index < 0) {
      return Finding.down("the query returned no column '" + target.column() + "' (columns: "
        + String.join(", ", rows.columnsNames()) + ")");
    }
    Object value = row.getValue(index);
    String name = rows.columnsNames().get(index);
    String text = value == null ? "null" : value.toString();
    List<String> wrong = new ArrayList<>();
    if (target.max() != null || target.min() != null) {
      if (!(value instanceof Number number)) {
        return Finding.down(name + " = " + text + ", not a number");
      }
      double figure = number.doubleValue();
      if (target.max() != null && figure > target.max()) {
        wrong.add("over " + plain(target.max()));
      }
      if (target.min() != null && figure < target.min()) {
        wrong.add("under " + plain(target.min()));
      }
    }
    if (target.expect() != null && !target.expect().equals(text)) {
      wrong.add("expected " + target.expect());
    }
    String said = name + " = " + text;
    return wrong.isEmpty() ? Finding.up(said) : Finding.down(said + ", " + String.join(", ", wrong));
  }

  private static String plain(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%s", value);
  }
}
