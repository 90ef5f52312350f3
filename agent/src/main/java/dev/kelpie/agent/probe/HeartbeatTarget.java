package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.policy.Durations;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The target of a heartbeat check (a dead-man's switch): the service proves progress by kicking, either an HTTP
 * POST to {@code http://127.0.0.1:<kickPort>/kick} with its token, or by touching {@code file}; no kick for
 * {@code deadline} is a failure. {@code service} (may be null) is the supervised service whose instance must kick.
 */
public record HeartbeatTarget(String service, Duration deadline, Integer kickPort, String token, Path file)
  implements ProbeTarget {

  static final List<String> KEYS = List.of("deadline", "kickPort", "token", "file");
  private static final int MIN_TOKEN = 16;

  @Override
  public String describe() {
    return "heartbeat within " + Durations.human(deadline)
      + (kickPort != null ? " by POST http://127.0.0.1:" + kickPort + "/kick" : " by touching " + file);
  }

  static HeartbeatTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    Duration deadline = node.optionalDuration("deadline", null);
    if (!node.has("deadline")) {
      node.problem("deadline", "missing; expected how long the service may go without a kick, like 10s");
    } else if (deadline != null && deadline.isZero()) {
      node.problem("deadline", "must be longer than zero");
    }
    Integer port = node.optionalInt("kickPort", null, 1, 65_535);
    String token = node.optionalString("token", null);
    String file = node.optionalString("file", null);
    boolean byPort = node.has("kickPort");
    boolean byFile = node.has("file");
    if (byPort == byFile) {
      node.problem("", "a heartbeat check needs exactly one of kickPort (HTTP kicks) or file (its mtime); got "
        + (byPort ? "both" : "neither"));
    }
    if (byPort && !node.has("token")) {
      node.problem("token", "missing; expected the kick token of the service (at least " + MIN_TOKEN
        + " characters), like ${WORKER_KICK_TOKEN}");
    } else if (token != null && token.length() < MIN_TOKEN) {
      node.problem("token", "must be at least " + MIN_TOKEN + " characters, got " + token.length());
    }
    if (byFile && node.has("token")) {
      node.problem("token", "only for kickPort: a file heartbeat has no token");
    }
    return new HeartbeatTarget(check.service(), deadline == null ? Duration.ofSeconds(10) : deadline, port, token,
      file == null ? null : Path.of(file));
  }
}
