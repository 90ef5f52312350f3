package dev.kelpie.coordinator.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertSettingsTest {

  @Test
  @DisplayName("receivers, routes, grouping, retry and maintenance windows are read as written")
  void read() {
    AlertSettings alerts = CoordinatorConfig.fromYaml("""
        alerts:
          receivers:
            - {name: ops, type: webhook, url: "https://hooks.example.com/kelpie", secret: "${SECRET}"}
            - {name: pd, type: pagerduty, url: "https://events.pagerduty.com/v2/enqueue", secret: 0123456789abcdef0,
               routingKey: R0UT1NG, timeout: 3s, concurrency: 2}
          routes:
            - {receivers: [pd], severity: [critical], labels: {team: pay}}
            - {receivers: [ops]}
          group: {window: 5s, fleetThreshold: 10}
          repeatInterval: 1h
          retry: {initial: 2s, max: 1m, maxAge: 6h}
          maintenance:
            - {name: patching, from: "2026-11-24T02:00:00Z", until: "2026-11-24T04:00:00Z", agents: "db-.*"}
        """, "c.yaml", Map.of("SECRET", "a-long-enough-secret")).alerts();
    assertThat(alerts.receivers()).hasSize(2);
    assertThat(alerts.receivers().get(1).format()).isEqualTo(AlertSettings.Format.PAGERDUTY);
    assertThat(alerts.receivers().get(1).timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(alerts.receivers().toString()).doesNotContain("a-long-enough-secret").doesNotContain("R0UT1NG");
    assertThat(alerts.routes().get(0).severities()).containsExactly("critical");
    assertThat(alerts.routes().get(0).labels()).isEqualTo(Map.of("team", "pay"));
    assertThat(alerts.grouping().window()).isEqualTo(Duration.ofSeconds(5));
    assertThat(alerts.retry().maxAge()).isEqualTo(Duration.ofHours(6));
    assertThat(alerts.maintenance().covering("db-1", "db-1", Map.of(), Instant.parse("2026-11-24T03:00:00Z")))
      .isNotNull();
    assertThat(alerts.maintenance().covering("web-1", "web-1", Map.of(), Instant.parse("2026-11-24T03:00:00Z")))
      .isNull();
  }

  @Test
  @DisplayName("a malformed receiver URL, an unknown type, a short secret and a route to nobody are all named at load")
  void problems() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("""
        alerts:
          receivers:
            - {name: ops, type: webhook, url: "htp:/broken url", secret: short}
            - {name: chat, type: teams, url: "https://chat.example.com/x", secret: 0123456789abcdef0}
          routes:
            - {receivers: [nobody], severity: [loud]}
          maintenance:
            - {name: m, from: tomorrow, until: "2026-11-24T04:00:00Z"}
        """, "c.yaml", Map.of()))
      .hasMessageContaining("c.yaml: alerts.receivers[0].url: expected a URL starting with http:// or https:// "
        + "and naming a host, got \"htp:/broken url\"")
      .hasMessageContaining("alerts.receivers[0].secret: too short")
      .hasMessageContaining("alerts.receivers[1].type: expected webhook, slack or pagerduty, got \"teams\"")
      .hasMessageContaining("alerts.routes[0].receivers: no receiver named 'nobody'")
      .hasMessageContaining("alerts.routes[0].severity: \"loud\" is not one of info, warning, critical")
      .hasMessageContaining("alerts.maintenance[0].from: expected a time like 2026-11-24T02:00:00Z");
  }

  @Test
  @DisplayName("a whsec_ secret is its base64 key and a plain one its ASCII bytes, as the Standard Webhooks libraries read them")
  void secretForms() {
    assertThat(WebhookSecret.key("whsec_MDEyMzQ1Njc4OWFiY2RlZg==")).isEqualTo("0123456789abcdef".getBytes());
    assertThat(WebhookSecret.key("plain-secret-0123456789")).isEqualTo("plain-secret-0123456789".getBytes());
  }

  @Test
  @DisplayName("a secret no library would read the same way is refused at load, naming the key and how to make one")
  void secretsRefused() {
    assertThatThrownBy(() -> CoordinatorConfig.fromYaml("""
        alerts:
          receivers:
            - {name: a, type: webhook, url: "https://h.example.com/a", secret: "whsec_not*base64!at-all"}
            - {name: b, type: webhook, url: "https://h.example.com/b", secret: "whsec_MDEyMzQ1Njc4OWFiY2RlZg"}
            - {name: c, type: webhook, url: "https://h.example.com/c", secret: "whsec_c2hvcnQ="}
            - {name: d, type: webhook, url: "https://h.example.com/d", secret: "mot-de-passe-très-secret"}
            - {name: e, type: webhook, url: "https://h.example.com/e", secret: "whsec_MDEyMzQ1Njc4-WFiY2RlZg=="}
        """, "c.yaml", Map.of()))
      .hasMessageContaining("c.yaml: alerts.receivers[0].secret: not valid base64 after whsec_")
      .hasMessageContaining("alerts.receivers[1].secret: not valid base64 after whsec_")
      .hasMessageContaining("alerts.receivers[2].secret: too short: the key after whsec_ is 5 bytes")
      .hasMessageContaining("alerts.receivers[3].secret: a secret without whsec_ is a raw key and must be "
        + "printable ASCII")
      .hasMessageContaining("alerts.receivers[4].secret: not valid base64 after whsec_")
      .hasMessageContaining("echo \"whsec_$(openssl rand -base64 32)\"");
  }
}
