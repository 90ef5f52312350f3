package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The target of a sql check: a query whose first row's {@code column} (default the first) is the value, and what
 * it must be: at most {@code max}, at least {@code min}, or equal to {@code expect} (as text). No row is a failure.
 */
public record SqlTarget(DatabaseLink database, String query, String column, Double max, Double min, String expect)
  implements ProbeTarget {

  static final List<String> KEYS;
  private static final Pattern READ_ONLY = Pattern.compile("(?is)\\s*(select|with|show|values)\\b.*");

  static {
    List<String> keys = new ArrayList<>(DatabaseLink.KEYS);
    keys.addAll(List.of("query", "column", "max", "min", "expect"));
    KEYS = List.copyOf(keys);
  }

  @Override
  public String describe() {
    return "sql on " + database.describe();
  }

  static SqlTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    DatabaseLink database = DatabaseLink.read(node);
    String query = node.string("query", "a query like SELECT count(*) FROM jobs WHERE status = 'queued'");
    if (query != null && !READ_ONLY.matcher(query).matches()) {
      node.problem("query", "must be a query starting with SELECT, WITH, SHOW or VALUES (the check runs it in a "
        + "read-only transaction), got \"" + query + "\"");
    }
    String column = node.optionalString("column", null);
    Double max = node.optionalNumber("max", null);
    Double min = node.optionalNumber("min", null);
    String expect = node.optionalString("expect", null);
    if (max == null && min == null && expect == null && !node.has("max") && !node.has("min")) {
      node.problem("", "a sql check needs at least one of max, min, expect");
    }
    return new SqlTarget(database, query == null ? "SELECT 1" : query, column, max, min, expect);
  }
}
