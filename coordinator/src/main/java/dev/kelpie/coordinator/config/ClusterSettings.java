package dev.kelpie.coordinator.config;

import java.util.List;

/**
 * Whether this coordinator joins others in a Vert.x cluster (off unless {@code enabled}), and how: it listens for
 * cluster members on {@code host:port} and finds them at {@code members} (host:port each) over TCP, never multicast.
 * {@code name}: only coordinators of the same name join each other.
 */
public record ClusterSettings(boolean enabled, String name, String host, int port, List<String> members) {

  public static final ClusterSettings OFF = new ClusterSettings(false, "kelpie", "127.0.0.1", 5701, List.of());
}
