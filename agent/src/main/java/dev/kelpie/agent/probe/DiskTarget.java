package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target of a disk check: the file system holding {@code path}, and its limits, each null when not set: used
 * space and used inodes in percent, and the least time it may have left until full at its growth rate over
 * {@code forecastOver}. Its statfs is bounded like a mount check's ({@code hungAfter}).
 */
public record DiskTarget(Path path, Double maxUsedPercent, Double maxInodesPercent, Duration minTimeToFull,
                         Duration forecastOver, Duration hungAfter) implements ProbeTarget {

  static final List<String> KEYS = List.of("path", "maxUsed", "maxInodes", "minTimeToFull", "forecastOver",
    "hungAfter");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d+)?)%");

  @Override
  public String describe() {
    return "disk " + path;
  }

  static DiskTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    Path path = absolutePath(node, "/var/lib/postgresql");
    Double used = percent(node, "maxUsed");
    Double inodes = percent(node, "maxInodes");
    Duration minTimeToFull = node.optionalDuration("minTimeToFull", null);
    Duration forecastOver = node.optionalDuration("forecastOver", Duration.ofHours(1));
    if (forecastOver.isZero()) {
      node.problem("forecastOver", "must be above zero, like 1h");
    }
    if (!node.has("maxUsed") && !node.has("maxInodes") && !node.has("minTimeToFull")) {
      node.problem("", "a disk check needs at least one of maxUsed, maxInodes, minTimeToFull");
    }
    return new DiskTarget(path, used, inodes, minTimeToFull, forecastOver,
      MountTarget.hungAfter(node, check.timeout()));
  }

  /** The required absolute {@code path} key, normalized; "/" when missing or wrong (the problem is reported). */
  static Path absolutePath(ConfigNode node, String example) {
    String text = node.string("path", "an absolute path like " + example);
    if (text == null) {
      return Path.of("/");
    }
    if (!text.startsWith("/")) {
      node.problem("path", "must be an absolute path like " + example + ", got \"" + text + "\"");
      return Path.of("/");
    }
    return Path.of(text).normalize();
  }

  private static Double percent(ConfigNode node, String key) {
    String text = node.optionalString(key, null);
    if (text == null) {
      return null;
    }
    Matcher percent = PERCENT.matcher(text);
    double value = percent.matches() ? Double.parseDouble(percent.group(1)) : -1;
    if (value <= 0 || value > 100) {
      node.problem(key, "expected a percentage above 0% and up to 100% like 90%, got \"" + text + "\"");
      return null;
    }
    return value;
  }
}
