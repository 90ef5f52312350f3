package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigNode;

import java.time.Duration;
import java.util.List;

/** Reads the {@code rules:} section; every rule may say {@code mode: shadow}, the section's mode is their default. */
final class RulesReader {

  RulesSettings read(ConfigNode node) {
    if (node == null) {
      return RulesSettings.NONE;
    }
    RulesSettings d = RulesSettings.NONE;
    boolean shadow = shadow(node, false);
    RulesSettings.InFlight inFlight = new RulesSettings.InFlight(node.optionalInt("inFlight", 0, 0, 100_000), shadow);
    List<RulesSettings.Group> groups = node.list("groups", group -> group(group, shadow));
    RulesSettings.Correlated correlated = d.correlated();
    ConfigNode c = node.child("correlated");
    if (c != null) {
      correlated = new RulesSettings.Correlated(c.optionalInt("hosts", 0, 0, 100_000),
        c.optionalInt("percent", 0, 0, 100), positive(c, "window", d.correlated().window()), shadow(c, shadow));
      if (!correlated.on()) {
        c.problem("hosts", "expected hosts or percent above zero (leave correlated out to turn it off)");
      }
      c.finish();
    }
    RulesSettings.Flapping flapping = d.flapping();
    ConfigNode f = node.child("flapping");
    if (f != null) {
      flapping = new RulesSettings.Flapping(f.optionalInt("restarts", 3, 2, 10_000),
        positive(f, "window", d.flapping().window()), positive(f, "backoff", d.flapping().backoff()),
        shadow(f, shadow));
      f.finish();
    }
    node.finish();
    return new RulesSettings(inFlight, groups, correlated, flapping);
  }

  private static RulesSettings.Group group(ConfigNode node, boolean shadow) {
    String label = node.string("label", "a label name, or name=value");
    String value = null;
    if (label != null && label.contains("=")) {
      value = label.substring(label.indexOf('=') + 1);
      label = label.substring(0, label.indexOf('='));
    }
    if (label != null && label.isBlank()) {
      node.problem("label", "expected a label name, or name=value");
    }
    int max = node.optionalInt("max", 0, 0, 100_000);
    int percent = node.optionalInt("maxPercent", 0, 0, 100);
    if (max == 0 && percent == 0) {
      node.problem("max", "expected max or maxPercent above zero");
    }
    return new RulesSettings.Group(label, value, max, percent, shadow(node, shadow));
  }

  private static boolean shadow(ConfigNode node, boolean fallback) {
    String mode = node.optionalString("mode", fallback ? "shadow" : "enforce");
    if (!mode.equals("enforce") && !mode.equals("shadow")) {
      node.problem("mode", "expected enforce or shadow, got \"" + mode + "\"");
    }
    return mode.equals("shadow");
  }

  private static Duration positive(ConfigNode node, String key, Duration fallback) {
    Duration value = node.optionalDuration(key, fallback);
    if (value != null && (value.isZero() || value.isNegative())) {
      node.problem(key, "must be longer than zero");
      return fallback;
    }
    return value;
  }
}
