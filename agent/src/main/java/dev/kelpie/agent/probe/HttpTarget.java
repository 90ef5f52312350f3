package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The target of an http check: a request, and the answer that counts as up: a status, text in the body, and named
 * conditions on a JSON body (each must hold). For https: whether the server's certificate is verified (against the
 * JDK's trusted roots, or {@code caFile}'s PEM certificates), and how long before its expiry a warning shows in the
 * detail; an expired certificate is down, verified or not.
 */
public record HttpTarget(URI url, String method, int expectStatus, String expectBody, Duration connectTimeout,
                         Duration responseTimeout, List<HealthCondition> conditions, boolean verifyCertificate,
                         Duration certificateWarning, Path caFile) implements ProbeTarget {

  static final List<String> KEYS = List.of("url", "method", "expectStatus", "expectBody", "connectTimeout",
    "conditions", "verifyCertificate", "certificateWarning", "caFile");
  static final Duration CERTIFICATE_WARNING = Duration.ofDays(14);

  public HttpTarget {
    conditions = List.copyOf(conditions);
  }

  public HttpTarget(URI url, String method, int expectStatus, String expectBody, Duration connectTimeout,
                    Duration responseTimeout, List<HealthCondition> conditions) {
    this(url, method, expectStatus, expectBody, connectTimeout, responseTimeout, conditions, true,
      CERTIFICATE_WARNING, null);
  }

  public HttpTarget(URI url, String method, int expectStatus, String expectBody, Duration connectTimeout,
                    Duration responseTimeout) {
    this(url, method, expectStatus, expectBody, connectTimeout, responseTimeout, List.of());
  }

  boolean https() {
    return url != null && "https".equalsIgnoreCase(url.getScheme());
  }
  static final Duration CONNECT_TIMEOUT = Duration.ofMillis(1500);
  private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "OPTIONS");

  @Override
  public String describe() {
    return method + " " + url;
  }

  static HttpTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    URI url = node.optionalUri("url", List.of("http", "https"));
    if (!node.has("url")) {
      node.problem("url", "missing; expected the URL to probe, like http://127.0.0.1:8080/health");
    }
    String method = node.optionalString("method", "GET").toUpperCase(Locale.ROOT);
    if (!METHODS.contains(method)) {
      node.problem("method", "expected one of " + String.join(", ", METHODS) + ", got \"" + method + "\"");
    }
    boolean https = url != null && "https".equalsIgnoreCase(url.getScheme());
    for (String key : List.of("verifyCertificate", "certificateWarning", "caFile")) {
      if (url != null && !https && node.has(key)) {
        node.problem(key, "only for an https:// url; " + url + " is plain http");
      }
    }
    boolean verify = node.optionalBool("verifyCertificate", true);
    Duration warning = node.optionalDuration("certificateWarning", CERTIFICATE_WARNING);
    String ca = node.optionalString("caFile", null);
    Path caFile = ca == null ? null : Path.of(ca);
    if (caFile != null && !verify) {
      node.problem("caFile", "trusted certificates make no sense with verifyCertificate: false; drop one of them");
    } else if (caFile != null && !Files.isReadable(caFile)) {
      node.problem("caFile", "cannot read " + caFile + "; expected a PEM file of trusted certificates");
    }
    return new HttpTarget(url, method, node.optionalInt("expectStatus", 200, 100, 599),
      node.optionalString("expectBody", null), node.optionalDuration("connectTimeout", CONNECT_TIMEOUT),
      check.timeout(), conditions(node), verify, warning, caFile);
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
