package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The target of an http check: a request, and the answer that counts as up: a status, text in the body, and named
 * conditions on a JSON body (each must hold).
 */
public record HttpTarget(URI url, String method, int expectStatus, String expectBody, Duration connectTimeout,
                         Duration responseTimeout, List<HealthCondition> conditions) implements ProbeTarget {

  static final List<String> KEYS = List.of("url", "method", "expectStatus", "expectBody", "connectTimeout",
    "conditions");

  public HttpTarget {
    conditions = List.copyOf(conditions);
  }

  public HttpTarget(URI url, String method, int expectStatus, String expectBody, Duration connectTimeout,
                    Duration responseTimeout) {
    this(url, method, expectStatus, expectBody, connectTimeout, responseTimeout, List.of());
  }
  static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);
  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "OPTIONS");

  @Override
  public String describe() {
    return method + " " + url;
  }

  static HttpTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    URI url = node.optionalUri("url", List.of("http"));
    if (!node.has("url")) {
      node.problem("url", "missing; expected the URL to probe, like http://127.0.0.1:8080/health");
    }
    String method = node.optionalString("method", "GET").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      node.problem("method", "expected one of " + String.join(", ", METHODS) + ", got \"" + method + "\"");
    }
    return new HttpTarget(url, method, node.optionalInt("expectStatus", 200, 100, 599),
      node.optionalString("expectBody", null), node.optionalDuration("connectTimeout", CONNECT_TIMEOUT),
      check.timeout(), conditions(node));
  }

  private static List<HealthCondition> conditions(ConfigNode node) {
    List<HealthCondition> conditions = new ArrayList<>();
    node.optionalStringMap("conditions").forEach((name, text) -> {
      HealthCondition.Parsed parsed = HealthCondition.parse(name, text);
      if (parsed.problem() != null) {
        node.problem("conditions." + name, parsed.problem());
      } else {
        conditions.add(parsed.condition());
      }
    });
    return conditions;
  }
}
