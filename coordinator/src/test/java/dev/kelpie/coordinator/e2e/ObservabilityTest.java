package dev.kelpie.coordinator.e2e;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.FleetEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Kelpie watched: Prometheus metrics that move, health and readiness, agents marked lost and back. */
class ObservabilityTest {

  private static final String AGENT = "host-o";

  private Fleet fleet;
  private int demoPort;
  private final List<FleetEvent> fleetEvents = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    demoPort = Fleet.freePort();
    fleet.startCoordinator(vertx -> vertx.eventBus().<JsonObject>consumer(Addresses.FLEET_EVENTS,
      msg -> fleetEvents.add(FleetEvent.fromJson(msg.body()))), AGENT);
    fleet.startAgent(AGENT, agentConfig());
    fleet.await("healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  private String agentConfig() {
    return "metrics: {port: 0}\n"
      + "services:\n  - name: demo\n    command: " + fleet.demoCommand(demoPort) + "\n    port: " + demoPort + "\n"
      + "checks:\n  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + demoPort + "/health\", "
      + "interval: 500ms}\n";
  }

  private static double sample(String metrics, String series) {
    Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }

  @Test
  @DisplayName("the coordinator's metrics count the restart of the demo service, beside Vert.x's own")
  void metricsMove() throws Exception {
    String before = fleet.get("/metrics").body();
    assertThat(sample(before, "kelpie_restarts_total")).isZero();
    assertThat(sample(before, "kelpie_results_ingested_total")).isPositive();
    assertThat(before).contains("vertx_http_server_active_connections", "vertx_eventbus_handlers");

    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demoPort + "/crash"))
      .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    fleet.await("restart counted", Duration.ofSeconds(20),
      () -> sample(fleet.get("/metrics").body(), "kelpie_restarts_total") == 1.0);

    String after = fleet.get("/metrics").body();
    assertThat(sample(after, "kelpie_commands_sent_total{action=\"restart\"}")).isEqualTo(1.0);
    assertThat(sample(after, "kelpie_commands_total{action=\"restart\",outcome=\"done\"}")).isEqualTo(1.0);
    assertThat(sample(after, "kelpie_decisions_total{decision=\"restart\"}")).isEqualTo(1.0);
    fleet.await("gauges published", Duration.ofSeconds(5),
      () -> sample(fleet.get("/metrics").body(), "kelpie_agents_connected") == 1.0);
    assertThat(after).as("no per-agent labels").doesNotContain(AGENT);
  }

  @Test
  @DisplayName("/health answers alive and /ready names each dependency")
  void healthAndReady() {
    HttpResponse<String> health = fleet.get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("up");
    HttpResponse<String> ready = fleet.get("/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject dependencies = new JsonObject(ready.body()).getJsonObject("dependencies");
    assertThat(dependencies.fieldNames()).containsExactlyInAnyOrder("policy", "gateway", "store");
    assertThat(dependencies.getJsonObject("policy").getString("state")).isEqualTo("up");
  }

  @Test
  @DisplayName("an agent that stops is marked lost within the configured time, once, and back when it returns")
  void lostAndBack() throws Exception {
    fleet.await("vitals from keepalives", Duration.ofSeconds(10), () -> fleet.agent(AGENT)
      .map(a -> a.getJsonObject("vitals") != null && a.getJsonObject("vitals").getLong("rssBytes") > 0).orElse(false));

    fleet.stopAgent();
    long stoppedAt = System.nanoTime();
    fleet.await("lost", Duration.ofSeconds(10), () -> fleet.agent(AGENT).map(a -> a.getBoolean("lost")).orElse(false));
    assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).as("lostAfter is 2 s")
      .isLessThan(Duration.ofSeconds(4));
    assertThat(fleetEvents).extracting(FleetEvent::type).containsExactly(FleetEvent.Type.AGENT_LOST);

    fleet.startAgent(AGENT, agentConfig());
    fleet.await("back", Duration.ofSeconds(10), () -> !fleet.agent(AGENT).orElseThrow().getBoolean("lost"));
    assertThat(fleetEvents).extracting(FleetEvent::type)
      .containsExactly(FleetEvent.Type.AGENT_LOST, FleetEvent.Type.AGENT_BACK);
  }

  @Test
  @DisplayName("the agent serves its own metrics: probe latency per check, buffer depth, reconnects")
  void agentMetrics() throws Exception {
    String url = "http://127.0.0.1:" + fleet.agentMetricsPort() + "/metrics";
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
      HttpResponse.BodyHandlers.ofString()).body();
    assertThat(sample(metrics, "kelpie_agent_probe_seconds_count{check=\"demo-http\",outcome=\"up\"}")).isPositive();
    assertThat(metrics).contains("kelpie_agent_buffer_depth", "kelpie_agent_connected 1.0",
      "kelpie_agent_reconnects_total", "kelpie_agent_reports_dropped_total 0.0");
  }
}
