package dev.kelpie.coordinator.config;

import java.time.Duration;
import java.util.List;

/**
 * Whether this coordinator joins others in a Vert.x cluster (off unless {@code enabled}), and how: it listens for
 * cluster members on {@code host:port} and finds them at {@code members} (host:port each) over TCP, never multicast.
 * {@code name}: only coordinators of the same name join each other. {@code leaseTerm}: how long a coordinator owns
 * an agent without renewing (renewed every third of it); a node that died keeps its agents at most this long.
 */
public record ClusterSettings(boolean enabled, String name, String host, int port, List<String> members,
                              Duration leaseTerm) {

  public static final Duration LEASE_TERM = Duration.ofSeconds(6);

  public static final ClusterSettings OFF = new ClusterSettings(false, "kelpie", "127.0.0.1", 5701, List.of());

  public ClusterSettings(boolean enabled, String name, String host, int port, List<String> members) {
    this(enabled, name, host, port, members, LEASE_TERM);
  }
}
