package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ByteSize;
import dev.kelpie.shared.config.ConfigNode;

import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The target of a resources check: a supervised service's whole process tree, and its limits, each null when not
 * set: resident memory (bytes, summed), CPU (percent of one core, summed), threads (summed), open file descriptors
 * (a count for the tree, or a percent of each process's own limit). Down once a limit is over for
 * {@code forSamples} samples in a row.
 */
public record ResourcesTarget(String service, Long maxRssBytes, Double maxCpuPercent, Integer maxThreads,
                              Integer maxFds, Double maxFdsPercentOfLimit, int forSamples) implements ProbeTarget {

  static final List<String> KEYS = List.of("maxRss", "maxCpu", "maxThreads", "maxFds", "forSamples");
  private static final Pattern PERCENT = Pattern.compile("(\\d{1,5}(?:\\.\\d+)?)%");

  @Override
  public String describe() {
    return "resources of " + service;
  }

  static ResourcesTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    if (check.service() == null) {
      node.problem("service", "missing; a resources check watches the process tree of a supervised service");
    }
    Long rss = null;
    String rssText = node.optionalString("maxRss", null);
    if (rssText != null) {
      OptionalLong parsed = ByteSize.parse(rssText);
      if (parsed.isEmpty() || parsed.getAsLong() == 0) {
        node.problem("maxRss", "expected a size above zero like 512MB or 1GB, got \"" + rssText + "\"");
      } else {
        rss = parsed.getAsLong();
      }
    }
    Double cpu = percent(node, "maxCpu", "a share of one core like 90% (200% is two cores)");
    Integer threads = node.optionalInt("maxThreads", null, 1, 10_000_000);
    Integer fds = null;
    Double fdsShare = null;
    String fdsText = node.optionalString("maxFds", null);
    if (fdsText != null) {
      Matcher percent = PERCENT.matcher(fdsText);
      if (percent.matches() && Double.parseDouble(percent.group(1)) > 0 && Double.parseDouble(percent.group(1)) <= 100) {
        fdsShare = Double.parseDouble(percent.group(1));
      } else if (fdsText.matches("\\d{1,9}") && Integer.parseInt(fdsText) > 0) {
        fds = Integer.parseInt(fdsText);
      } else {
        node.problem("maxFds", "expected a count like 1000 or a share of the limit of each process like 90%, got \""
          + fdsText + "\"");
      }
    }
    int samples = node.optionalInt("forSamples", 1, 1, 1000);
    if (!node.has("maxRss") && !node.has("maxCpu") && !node.has("maxThreads") && !node.has("maxFds")) {
      node.problem("", "a resources check needs at least one of maxRss, maxCpu, maxThreads, maxFds");
    }
    return new ResourcesTarget(check.service(), rss, cpu, threads, fds, fdsShare, samples);
  }

  private static Double percent(ConfigNode node, String key, String example) {
    String text = node.optionalString(key, null);
    if (text == null) {
      return null;
    }
    Matcher percent = PERCENT.matcher(text);
    if (!percent.matches() || Double.parseDouble(percent.group(1)) <= 0) {
      node.problem(key, "expected " + example + ", got \"" + text + "\"");
      return null;
    }
    return Double.parseDouble(percent.group(1));
  }
}
