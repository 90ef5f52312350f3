package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads the optional {@code cluster:} section; absent or {@code enabled: false}, the coordinator runs alone. */
final class ClusterReader {

  private static final String MEMBER_FORM = "[A-Za-z0-9.\\-]+:\\d{1,5}|\\[[0-9A-Fa-f:]+\\]:\\d{1,5}";

  ClusterSettings read(ConfigNode node) {
    if (node == null) {
      return ClusterSettings.OFF;
    }
    ClusterSettings off = ClusterSettings.OFF;
    boolean enabled = node.optionalBool("enabled", false);
    String name = node.optionalString("name", off.name());
    if (name != null && !name.matches("[A-Za-z0-9_.\\-]{1,64}")) {
      node.problem("name", "expected letters, digits, '.', '_' or '-' (at most 64), got \"" + name + "\"");
    }
    String host = node.optionalString("host", off.host());
    if (host != null && host.isBlank()) {
      node.problem("host", "must not be empty; expected the address other coordinators reach this one at");
    }
    int port = node.optionalInt("port", off.port(), 1, 65_535);
    List<String> members = new ArrayList<>();
    List<String> listed = node.optionalStringList("members", "[10.0.0.1:5701, 10.0.0.2:5701]");
    if (listed != null) {
      for (int i = 0; i < listed.size(); i++) {
        String member = listed.get(i).trim();
        if (!member.matches(MEMBER_FORM) || !validPort(member)) {
          node.problem("members[" + i + "]", "expected host:port like 10.0.0.2:5701, got \"" + member + "\"");
        } else {
          members.add(member);
        }
      }
    }
    Duration leaseTerm = node.optionalDuration("leaseTerm", ClusterSettings.LEASE_TERM);
    if (leaseTerm != null && leaseTerm.compareTo(Duration.ofSeconds(1)) < 0) {
      node.problem("leaseTerm", "must be at least 1s, got " + leaseTerm.toMillis() + "ms");
    }
    node.finish();
    return new ClusterSettings(enabled, name, host, port, List.copyOf(members),
      leaseTerm == null ? ClusterSettings.LEASE_TERM : leaseTerm);
  }

  private static boolean validPort(String member) {
    int port = Integer.parseInt(member.substring(member.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }
}
