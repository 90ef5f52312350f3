package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ByteSize;
import dev.kelpie.shared.config.ConfigNode;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The target of a directory check (a log folder): the total size of the files under {@code path} must stay within
 * {@code maxSize}; the walk stops after {@code maxEntries} entries, and a folder that large is itself a failure.
 */
public record DirectoryTarget(Path path, long maxSizeBytes, int maxEntries) implements ProbeTarget {

  static final List<String> KEYS = List.of("path", "maxSize", "maxEntries");
  static final int MAX_ENTRIES = 100_000;

  @Override
  public String describe() {
    return "directory " + path;
  }

  static DirectoryTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    Path path = DiskTarget.absolutePath(node, "/var/log/myapp");
    long maxSize = 0;
    String sizeText = node.string("maxSize", "a size like 500MB or 2GB");
    if (sizeText != null) {
      OptionalLong parsed = ByteSize.parse(sizeText);
      if (parsed.isEmpty() || parsed.getAsLong() == 0) {
        node.problem("maxSize", "expected a size above zero like 500MB or 2GB, got \"" + sizeText + "\"");
      } else {
        maxSize = parsed.getAsLong();
      }
    }
    int maxEntries = node.optionalInt("maxEntries", MAX_ENTRIES, 1, 100_000_000);
    return new DirectoryTarget(path, maxSize, maxEntries);
  }
}
