package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigNode;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the {@code alerts:} section; every problem named with its path, like the rest of the file. */
final class AlertsReader {

  static final List<String> SEVERITIES = List.of("info", "warning", "critical");
  static final List<String> KINDS = AlertSettings.KINDS;

  private final Set<String> names = new HashSet<>();

  AlertSettings read(ConfigNode node) {
    if (node == null) {
      return AlertSettings.NONE;
    }
    AlertSettings defaults = AlertSettings.NONE;
    List<AlertSettings.Receiver> receivers = node.list("receivers", this::receiver);
    List<AlertSettings.Route> routes = node.list("routes", this::route);
    AlertSettings.Grouping grouping = defaults.grouping();
    ConfigNode group = node.child("group");
    if (group != null) {
      grouping = new AlertSettings.Grouping(group.optionalDuration("window", grouping.window()),
        group.optionalInt("fleetThreshold", grouping.fleetThreshold(), 2, 100_000),
        group.optionalInt("max", grouping.max(), 1, 10_000));
      group.finish();
    }
    Duration repeat = node.optionalDuration("repeatInterval", defaults.repeatInterval());
    AlertSettings.Retry retry = defaults.retry();
    ConfigNode retryNode = node.child("retry");
    if (retryNode != null) {
      retry = new AlertSettings.Retry(retryNode.optionalDuration("initial", retry.initial()),
        retryNode.optionalDuration("max", retry.max()), retryNode.optionalDuration("maxAge", retry.maxAge()));
      if (retry.initial().isZero() || retry.max().compareTo(retry.initial()) < 0) {
        retryNode.problem("max", "expected initial > 0 and max >= initial");
      }
      retryNode.finish();
    }
    MaintenanceWindows maintenance = new MaintenanceWindows(node.list("maintenance", this::window));
    node.finish();
    return new AlertSettings(receivers, routes, grouping, repeat, retry, maintenance);
  }

  private AlertSettings.Receiver receiver(ConfigNode node) {
    String name = node.id("name");
    if (name != null && !names.add(name)) {
      node.problem("name", "duplicate receiver name '" + name + "'");
    }
    String type = node.string("type", "webhook, slack or pagerduty");
    AlertSettings.Format format = null;
    if (type != null) {
      try {
        format = AlertSettings.Format.valueOf(type.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        node.problem("type", "expected webhook, slack or pagerduty, got \"" + type + "\"");
      }
    }
    String urlText = node.string("url", "the receiver's http:// or https:// URL");
    URI url = urlText == null ? null : node.uri("url", urlText, List.of("http", "https"), "");
    String secret = node.string("secret", "the receiver's signing secret (use ${ENV_VAR})");
    if (secret != null) {
      try {
        WebhookSecret.key(secret);
      } catch (IllegalArgumentException e) {
        node.problem("secret", e.getMessage());
      }
    }
    String routingKey = node.optionalString("routingKey", null);
    if (format == AlertSettings.Format.PAGERDUTY && routingKey == null) {
      node.problem("routingKey", "missing; a pagerduty receiver needs its integration key");
    } else if (format != AlertSettings.Format.PAGERDUTY && routingKey != null) {
      node.problem("routingKey", "only a pagerduty receiver takes a routingKey");
    }
    Duration timeout = node.optionalDuration("timeout", Duration.ofSeconds(10));
    int concurrency = node.optionalInt("concurrency", 4, 1, 64);
    String template = node.optionalString("template", null);
    if (template != null) {
      try {
        com.samskivert.mustache.Mustache.compiler().compile(template);
      } catch (RuntimeException e) {
        node.problem("template", "not a valid Mustache template: " + e.getMessage());
      }
    }
    return new AlertSettings.Receiver(name, format, url, secret, routingKey, timeout, concurrency, template);
  }

  private AlertSettings.Route route(ConfigNode node) {
    List<String> receivers = node.optionalStringList("receivers", "[ops-webhook]");
    if (receivers == null || receivers.isEmpty()) {
      node.problem("receivers", "missing; expected the names of receivers, like [ops-webhook]");
      receivers = List.of();
    }
    receivers.stream().filter(name -> !names.contains(name))
      .forEach(name -> node.problem("receivers", "no receiver named '" + name + "' (receivers are declared before "
        + "routes, under alerts.receivers)"));
    Set<String> severities = oneOf(node, "severity", SEVERITIES);
    Set<String> kinds = oneOf(node, "kinds", KINDS);
    return new AlertSettings.Route(receivers, severities, kinds, node.optionalStringMap("labels"));
  }

  private static Set<String> oneOf(ConfigNode node, String key, List<String> allowed) {
    List<String> given = node.optionalStringList(key, allowed.toString());
    if (given == null) {
      return null;
    }
    Set<String> values = new LinkedHashSet<>();
    for (String value : given) {
      if (!allowed.contains(value)) {
        node.problem(key, "\"" + value + "\" is not one of " + String.join(", ", allowed));
      }
      values.add(value);
    }
    return values;
  }

  private MaintenanceWindows.Window window(ConfigNode node) {
    String name = node.id("name");
    Instant from = instant(node, "from");
    Instant until = instant(node, "until");
    if (from != null && until != null && !until.isAfter(from)) {
      node.problem("until", "must be after from");
    }
    String agents = node.optionalRegex("agents");
    return new MaintenanceWindows.Window(name, from == null ? Instant.MAX : from, until == null ? Instant.MIN : until,
      agents == null ? null : Pattern.compile(agents), node.optionalStringMap("labels"));
  }

  private static Instant instant(ConfigNode node, String key) {
    String text = node.string(key, "a time like 2026-11-24T02:00:00Z");
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      node.problem(key, "expected a time like 2026-11-24T02:00:00Z (UTC, ISO 8601), got \"" + text + "\"");
      return null;
    }
  }
}
