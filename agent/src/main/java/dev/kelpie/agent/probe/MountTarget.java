package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.policy.Durations;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The target of a mount check: a mount point that must be mounted (of {@code fsType}, when given) and answer a
 * statfs within {@code hungAfter}, which is below the check's timeout so "hung" is said before the run is cut.
 */
public record MountTarget(Path path, String fsType, Duration hungAfter) implements ProbeTarget {

  static final List<String> KEYS = List.of("path", "fsType", "hungAfter");

  @Override
  public String describe() {
    return "mount " + path;
  }

  static MountTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    Path path = DiskTarget.absolutePath(node, "/mnt/share");
    String fsType = node.optionalString("fsType", null);
    return new MountTarget(path, fsType, hungAfter(node, check.timeout()));
  }

  /** Three quarters of the timeout unless given; it must leave the probe time to say so before the timeout. */
  static Duration hungAfter(ConfigNode node, Duration timeout) {
    Duration fallback = timeout.multipliedBy(3).dividedBy(4);
    Duration hungAfter = node.optionalDuration("hungAfter", fallback);
    if (hungAfter.compareTo(timeout) >= 0 || hungAfter.isZero()) {
      node.problem("hungAfter", "must be above zero and below the check's timeout (" + Durations.human(timeout)
        + "), got " + Durations.human(hungAfter));
      return fallback;
    }
    return hungAfter;
  }
}
