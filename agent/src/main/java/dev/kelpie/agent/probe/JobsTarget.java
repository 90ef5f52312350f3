package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.policy.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The target of a jobs check (a task table): rows whose {@code statusColumn} is {@code stuckStatus} and whose
 * {@code timeColumn} is older than {@code stuckAfter} are stuck; more than {@code maxStuck} of them is a failure.
 * Remediation sets them to {@code failedStatus}, the time column to now and {@code reasonColumn} (when given) to
 * the reason.
 */
public record JobsTarget(DatabaseLink database, String table, String idColumn, String statusColumn,
                         String stuckStatus, String timeColumn, Duration stuckAfter, String failedStatus,
                         String reasonColumn, int maxStuck) implements ProbeTarget {

  static final List<String> KEYS;
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  static {
    List<String> keys = new ArrayList<>(DatabaseLink.KEYS);
    keys.addAll(List.of("table", "idColumn", "statusColumn", "stuckStatus", "timeColumn", "stuckAfter",
      "failedStatus", "reasonColumn", "maxStuck"));
    KEYS = List.copyOf(keys);
  }

  @Override
  public String describe() {
    return "jobs " + table + " in " + database.describe() + ": " + statusColumn + " = '" + stuckStatus + "' for over "
      + Durations.human(stuckAfter);
  }

  /** The table's name quoted for SQL, schema and all. */
  String quotedTable() {
    StringBuilder quoted = new StringBuilder();
    for (String part : table.split("\\.")) {
      quoted.append(quoted.isEmpty() ? "" : ".").append(quote(part));
    }
    return quoted.toString();
  }

  static String quote(String name) {
    return "\"" + name + "\"";
  }

  static JobsTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    DatabaseLink database = DatabaseLink.read(node);
    String table = node.string("table", "the table of jobs, like jobs or app.jobs");
    if (table != null && !table.matches(NAME.pattern() + "(\\." + NAME.pattern() + ")?")) {
      node.problem("table", "expected a table name of letters, digits and _ (with a schema: app.jobs), got \""
        + table + "\"");
    }
    String id = column(node, "idColumn", "id");
    String status = column(node, "statusColumn", "status");
    String time = column(node, "timeColumn", "updated_at");
    String reason = column(node, "reasonColumn", null);
    String stuckStatus = node.optionalString("stuckStatus", "running");
    String failedStatus = node.optionalString("failedStatus", "failed");
    if (stuckStatus.equals(failedStatus)) {
      node.problem("failedStatus", "must differ from stuckStatus ('" + stuckStatus + "'), or a remediated row would "
        + "still be stuck");
    }
    Duration stuckAfter = node.optionalDuration("stuckAfter", null);
    if (!node.has("stuckAfter")) {
      node.problem("stuckAfter", "missing; expected how long a row may keep its stuckStatus, like 10m");
    }
    int maxStuck = node.optionalInt("maxStuck", 0, 0, 1_000_000_000);
    return new JobsTarget(database, table == null ? "jobs" : table, id, status, stuckStatus, time,
      stuckAfter == null ? Duration.ofMinutes(10) : stuckAfter, failedStatus, reason, maxStuck);
  }

  private static String column(ConfigNode node, String key, String fallback) {
    String name = node.optionalString(key, fallback);
    if (name != null && !NAME.matcher(name).matches()) {
      node.problem(key, "expected a column name of letters, digits and _, got \"" + name + "\"");
      return fallback;
    }
    return name;
  }
}
