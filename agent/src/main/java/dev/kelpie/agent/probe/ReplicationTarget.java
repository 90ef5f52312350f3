package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ByteSize;
import dev.kelpie.shared.config.ConfigNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The target of a replication check: a PostgreSQL server, a primary (its standbys from pg_stat_replication, at least
 * {@code minStandbys} of them streaming) or a standby (replaying, not paused); on either, lag over {@code maxLag} or
 * {@code maxLagBytes} is a failure. {@code role}, when given, is what the server must be.
 */
public record ReplicationTarget(DatabaseLink database, String role, int minStandbys, Duration maxLag,
                                Long maxLagBytes) implements ProbeTarget {

  static final List<String> KEYS;

  static {
    List<String> keys = new ArrayList<>(DatabaseLink.KEYS);
    keys.addAll(List.of("role", "minStandbys", "maxLag", "maxLagBytes"));
    KEYS = List.copyOf(keys);
  }

  @Override
  public String describe() {
    return "replication of " + database.describe();
  }

  static ReplicationTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    DatabaseLink database = DatabaseLink.read(node);
    String role = node.optionalString("role", null);
    if (role != null && !role.equals("primary") && !role.equals("standby")) {
      node.problem("role", "expected primary or standby (or leave it out: either), got \"" + role + "\"");
      role = null;
    }
    int minStandbys = node.optionalInt("minStandbys", 1, 0, 1000);
    Duration maxLag = node.optionalDuration("maxLag", null);
    Long maxLagBytes = null;
    String bytesText = node.optionalString("maxLagBytes", null);
    if (bytesText != null) {
      OptionalLong parsed = ByteSize.parse(bytesText);
      if (parsed.isEmpty()) {
        node.problem("maxLagBytes", "expected a size like 16MB or 1GB, got \"" + bytesText + "\"");
      } else {
        maxLagBytes = parsed.getAsLong();
      }
    }
    return new ReplicationTarget(database, role, minStandbys, maxLag, maxLagBytes);
  }
}
