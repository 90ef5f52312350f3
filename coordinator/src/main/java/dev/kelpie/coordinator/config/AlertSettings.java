package dev.kelpie.coordinator.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code alerts:} section: where alerts go (receivers, chosen by routes), how they are grouped and repeated,
 * how deliveries are retried, and the maintenance windows during which none is sent.
 */
public record AlertSettings(List<Receiver> receivers, List<Route> routes, Grouping grouping, Duration repeatInterval,
                            Retry retry, MaintenanceWindows maintenance) {

  public static final AlertSettings NONE = new AlertSettings(List.of(), List.of(),
    new Grouping(Duration.ofSeconds(2), 5, 200), Duration.ofHours(4),
    new Retry(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(24)), MaintenanceWindows.NONE);

  /** The kinds of alert the policy raises, as named in routes' {@code kinds} and the payload's {@code kind}. */
  public static final List<String> KINDS = List.of("incident_opened", "action_taken", "gave_up", "still_open",
    "recovered", "agent_lost", "agent_back", "action_evidence", "correlated_failure", "flapping");

  public enum Format { WEBHOOK, SLACK, PAGERDUTY }

  /**
   * Where notifications go. {@code secret} signs every request (HMAC-SHA256, Standard Webhooks); {@code routingKey}
   * is PagerDuty's integration key. Neither is ever logged nor shown by the API. {@code template} shapes each
   * alert's line of text (Mustache), null for the built-in one.
   */
  public record Receiver(String name, Format format, URI url, String secret, String routingKey, Duration timeout,
                         int concurrency, String template) {

    @Override
    public String toString() {
      return "Receiver[" + name + ", " + format + ", " + url + "]";
    }
  }

  /** Sends to {@code receivers} the alerts matching every filter given (a filter left out matches all). */
  public record Route(List<String> receivers, Set<String> severities, Set<String> kinds, Map<String, String> labels) {
  }

  /**
   * Alerts raised within {@code window} of the first go out together, at most {@code max} per notification; when
   * incidents open on {@code fleetThreshold} hosts or more at once, the notification is one fleet-level alert.
   */
  public record Grouping(Duration window, int fleetThreshold, int max) {
  }

  /** Exponential backoff with jitter from {@code initial} to {@code max}; a delivery older than maxAge is dead. */
  public record Retry(Duration initial, Duration max, Duration maxAge) {
  }
}
