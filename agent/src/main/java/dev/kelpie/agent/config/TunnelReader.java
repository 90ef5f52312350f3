package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a service's {@code tunnel:} into the command Kelpie spawns for it (autossh's job): {@code ssh -N} with local
 * forwards bound to loopback, as an argument list (no shell). ExitOnForwardFailure makes a forward that cannot be
 * set up end ssh, ServerAliveInterval makes a dead far side end it, BatchMode makes it never wait for a password;
 * the supervisor then spawns it again with its backoff, and a check through a forwarded port proves the far side.
 */
final class TunnelReader {

  private static final Pattern REMOTE = Pattern.compile("(?:[A-Za-z0-9._-]{1,64}@)?[A-Za-z0-9.-]{1,253}");
  private static final Pattern FORWARD = Pattern.compile("(\\d{1,5}):([A-Za-z0-9.-]{1,253}):(\\d{1,5})");
  private static final String FORWARD_EXAMPLE = "[\"15432:db.internal:5432\"] (local port:host:port, the host as "
    + "the far side sees it)";

  private TunnelReader() {
  }

  static List<String> command(ConfigNode node) {
    String remote = node.string("remote", "the SSH server as user@host, like tunnel@bastion.example.com");
    if (remote != null && !REMOTE.matcher(remote).matches()) {
      node.problem("remote", "expected user@host, like tunnel@bastion.example.com, got \"" + remote + "\"");
    }
    int port = node.optionalInt("port", 22, 1, 65_535);
    List<String> forwards = forwards(node);
    String ssh = absolute(node, "ssh", "/usr/bin/ssh");
    String identity = absolute(node, "identityFile", null);
    String knownHosts = absolute(node, "knownHostsFile", null);
    Duration alive = node.optionalDuration("serverAliveInterval", Duration.ofSeconds(15));
    if (alive.toSeconds() < 1) {
      node.problem("serverAliveInterval", "must be at least 1s (ssh counts whole seconds)");
    }
    int aliveCount = node.optionalInt("serverAliveCountMax", 3, 1, 100);
    node.finish();
    List<String> command = new ArrayList<>(List.of(ssh, "-N", "-p", Integer.toString(port),
      "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
      "-o", "ServerAliveInterval=" + Math.max(1, alive.toSeconds()), "-o", "ServerAliveCountMax=" + aliveCount));
    if (identity != null) {
      command.addAll(List.of("-i", identity, "-o", "IdentitiesOnly=yes"));
    }
    if (knownHosts != null) {
      command.addAll(List.of("-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes"));
    }
    forwards.forEach(forward -> command.addAll(List.of("-L", forward)));
    command.add("--");
    command.add(remote == null ? "?" : remote);
    return List.copyOf(command);
  }

  private static List<String> forwards(ConfigNode node) {
    boolean given = node.has("forwards");
    List<String> listed = node.optionalStringList("forwards", FORWARD_EXAMPLE);
    List<String> forwards = new ArrayList<>();
    if (!given || (listed != null && listed.isEmpty())) {
      node.problem("forwards", (given ? "is empty" : "missing") + "; expected at least one forward, like "
        + FORWARD_EXAMPLE);
      return forwards;
    }
    for (String forward : listed == null ? List.<String>of() : listed) {
      Matcher matcher = FORWARD.matcher(forward);
      if (!matcher.matches() || !port(matcher.group(1)) || !port(matcher.group(3))) {
        node.problem("forwards", "expected local port:host:port, like 15432:db.internal:5432, got \"" + forward
          + "\"");
        continue;
      }
      forwards.add("127.0.0.1:" + forward);
    }
    return forwards;
  }

  private static boolean port(String text) {
    int port = Integer.parseInt(text);
    return port >= 1 && port <= 65_535;
  }

  private static String absolute(ConfigNode node, String key, String fallback) {
    String path = node.optionalString(key, fallback);
    if (path != null && !path.startsWith("/")) {
      node.problem(key, "must be an absolute path, got \"" + path + "\"");
    }
    return path;
  }
}
