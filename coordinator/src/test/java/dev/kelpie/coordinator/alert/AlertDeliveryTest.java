package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.store.TestDatabase;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts end to end through a real coordinator (policy, store, outbox, dispatcher, HTTP API) to a real HTTP receiver
 * started by the test. Agents' reports go straight onto the coordinator's event bus, where the gateway would put them.
 */
class AlertDeliveryTest {

  private static final String SECRET = "test-secret-0123456789";
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Long> seqs = new HashMap<>();
  private WebhookReceiver receiver;
  private Vertx vertx;
  private Coordinator coordinator;
  private String schema;

  @BeforeEach
  void receiver() throws Exception {
    receiver = new WebhookReceiver();
  }

  @AfterEach
  void close() {
    stopCoordinator();
    receiver.close();
    if (schema != null) {
      TestDatabase.dropSchema(schema);
    }
  }

  /** The alert grouping window; short, so the tests run fast, unless a test needs a burst to fit in it. */
  private String groupWindow = "300ms";

  private void startCoordinator(String extraYaml) {
    String yaml = "http: {host: 127.0.0.1, port: 0}\n"
      + "keepalive: {lostAfter: 1h}\n"
      + "access: {localViewing: true}\n"
      + "alerts:\n"
      + "  receivers:\n"
      + "    - {name: hook, type: webhook, url: \"" + receiver.url() + "\", secret: " + SECRET + ", timeout: 1s}\n"
      + "  group: {window: " + groupWindow + ", fleetThreshold: 5}\n"
      + "  retry: {initial: 100ms, max: 400ms, maxAge: 1h}\n"
      + extraYaml;
    CoordinatorConfig config = CoordinatorConfig.fromYaml(yaml, "alerts-test.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    vertx = Coordinator.newVertx(registry);
    coordinator = Coordinator.deploy(vertx, config, Clock.systemUTC(), registry).await();
  }

  private void stopCoordinator() {
    if (vertx != null) {
      vertx.close().await();
      vertx = null;
    }
  }

  private static PolicySpec reportOnly() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO, d.budget(),
      d.backoff(), false);
  }

  private void hello(String agent, String... checks) {
    List<CheckSpec> specs = java.util.Arrays.stream(checks)
      .map(check -> new CheckSpec(check, CheckType.HTTP, null, "GET /" + check, reportOnly(), Map.of("team", "pay")))
      .toList();
    vertx.eventBus().request(Addresses.AGENT_HELLO, new AgentHello(agent, "host-" + agent, "test", specs, List.of())
      .toJson()).await();
  }

  private void report(String agent, String check, boolean up) {
    Instant now = Instant.now();
    long seq = seqs.merge(agent, 1L, Long::sum);
    ProbeResult result = (up ? ProbeResult.up(agent, check, now, Duration.ofMillis(3), "200")
      : ProbeResult.down(agent, check, now, Duration.ofMillis(3), "connection refused")).withSeq(seq);
    vertx.eventBus().request(Addresses.AGENT_REPORTS, new ReportBatch(agent, now, List.of(result)).toJson()).await();
  }

  private void fail(String agent, String check) {
    report(agent, check, false);
    report(agent, check, false);
  }

  private static List<String> kinds(List<WebhookReceiver.Received> requests) {
    return requests.stream().flatMap(r -> r.json().getJsonArray("alerts").stream())
      .map(alert -> ((JsonObject) alert).getString("kind") + ":" + ((JsonObject) alert).getString("checkId"))
      .toList();
  }

  private JsonObject api(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
      + coordinator.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private String pendingErrors() {
    try {
      return api("/api/alerts/deliveries?state=pending").encode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(PATIENCE);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
      }
      Thread.sleep(25);
    }
  }

  @Test
  @DisplayName("an incident's opening and its recovery arrive in that order, each signed and with an idempotency key")
  void fireAndResolve() throws Exception {
    startCoordinator("");
    hello("a1", "web");
    fail("a1", "web");
    await("the opening", () -> kinds(receiver.accepted()).contains("incident_opened:web"));
    report("a1", "web", true);
    await("the recovery", () -> kinds(receiver.accepted()).contains("recovered:web"));

    List<WebhookReceiver.Received> requests = receiver.accepted();
    assertThat(kinds(requests)).containsExactly("incident_opened:web", "recovered:web");
    for (WebhookReceiver.Received request : requests) {
      assertThat(WebhookReceiver.verify(request, SECRET)).as("signature of " + request.body()).isTrue();
      assertThat(request.idempotencyKey()).isNotBlank().isEqualTo(request.id());
      assertThat(request.json().getString("version")).isEqualTo("kelpie.alert/v1");
    }
    JsonObject opened = requests.get(0).json().getJsonArray("alerts").getJsonObject(0);
    JsonObject recovered = requests.get(1).json().getJsonArray("alerts").getJsonObject(0);
    assertThat(recovered.getString("incidentId")).isEqualTo(opened.getString("incidentId"));
    assertThat(opened.getString("host")).isEqualTo("host-a1");
    assertThat(opened.getJsonObject("details").getJsonArray("evidence")).hasSize(2);
    assertThat(recovered.getJsonObject("details").getLong("durationMs")).isNotNull();
    assertThat(requests.get(0).body()).doesNotContain(SECRET);
  }

  @Test
  @DisplayName("a receiver answering 500, then down, then back gets each alert once accepted, same key every try")
  void retriesUntilTheReceiverRecovers() throws Exception {
    startCoordinator("");
    receiver.answer(500, 2);
    hello("a1", "web");
    fail("a1", "web");
    await("two refused tries", () -> receiver.all().size() >= 2);
    receiver.stop();
    report("a1", "web", true);
    await("a try that found the receiver down", () -> pendingErrors().contains("no answer"));
    receiver.start();
    await("both alerts accepted", () -> kinds(receiver.accepted()).size() == 2);

    assertThat(kinds(receiver.accepted())).containsExactly("incident_opened:web", "recovered:web");
    List<WebhookReceiver.Received> all = receiver.all();
    String openingKey = receiver.accepted().get(0).idempotencyKey();
    assertThat(all.subList(0, 3)).as("the refused tries and the accepted one carry one key")
      .allSatisfy(request -> assertThat(request.idempotencyKey()).isEqualTo(openingKey));
    JsonArray delivered = api("/api/alerts/deliveries?state=delivered").getJsonArray("items");
    assertThat(delivered).hasSize(2);
    assertThat(delivered.getJsonObject(1).getInteger("attempts")).isGreaterThanOrEqualTo(3);
    assertThat(delivered.encode()).doesNotContain(SECRET);

    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.port()
      + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).containsPattern("kelpie_alert_deliveries_total\\{outcome=\"retry\",receiver=\"hook\"} [3-9]")
      .contains("kelpie_alert_deliveries_total{outcome=\"delivered\",receiver=\"hook\"} 2.0")
      .contains("kelpie_alerts_raised_total{kind=\"incident_opened\"} 1.0")
      .contains("kelpie_alert_outbox_depth 0.0");
  }

  @Test
  @DisplayName("a receiver refusing for good (400) leaves the delivery dead, visible in the API")
  void deadDelivery() throws Exception {
    startCoordinator("");
    receiver.answer(400, 1);
    hello("a1", "web");
    fail("a1", "web");
    await("the delivery is dead", () -> {
      try {
        return !api("/api/alerts/deliveries?state=dead").getJsonArray("items").isEmpty();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    JsonObject dead = api("/api/alerts/deliveries?state=dead").getJsonArray("items").getJsonObject(0);
    assertThat(dead.getString("lastError")).contains("HTTP 400");
    assertThat(receiver.all()).hasSize(1);
  }

  @Test
  @DisplayName("a coordinator restarted while a delivery is being retried delivers it afterwards, same key (PostgreSQL)")
  void restartMidRetry() throws Exception {
    schema = TestDatabase.newSchema();
    String store = "store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n";
    startCoordinator(store);
    receiver.answer(503, 1_000);
    hello("a1", "web");
    fail("a1", "web");
    await("a failed try", () -> receiver.all().size() >= 2);
    stopCoordinator();
    String key = receiver.all().get(0).idempotencyKey();
    receiver.clearAnswers();
    startCoordinator(store);
    await("the alert after the restart", () -> !receiver.accepted().isEmpty());
    assertThat(receiver.accepted()).singleElement()
      .satisfies(request -> assertThat(request.idempotencyKey()).isEqualTo(key));
  }

  @Test
  @DisplayName("a silenced check sends nothing, while another check's alerts go out")
  void silenced() throws Exception {
    startCoordinator("");
    hello("a1", "quiet", "loud");
    JsonObject silence = vertx.eventBus().<JsonObject>request(Addresses.OPERATOR, new JsonObject()
      .put("action", "silence").put("agentId", "a1").put("checkId", "quiet").put("duration", "10m")
      .put("by", "test")).await().body();
    assertThat(silence.getString("silencedUntil")).isNotNull();
    fail("a1", "quiet");
    fail("a1", "loud");
    await("the loud check's alert", () -> kinds(receiver.accepted()).contains("incident_opened:loud"));
    report("a1", "loud", true);
    await("the loud check's recovery", () -> kinds(receiver.accepted()).contains("recovered:loud"));
    assertThat(kinds(receiver.accepted())).noneMatch(kind -> kind.endsWith(":quiet"));
  }

  @Test
  @DisplayName("fifty checks failing together on fifty hosts make one fleet-level notification, not fifty")
  void grouped() throws Exception {
    groupWindow = "3s";   // the 50 failures are sent one by one: on a busy machine that alone can take over 300 ms
    startCoordinator("");
    for (int i = 0; i < 50; i++) {
      hello("h" + i, "web");
    }
    for (int i = 0; i < 50; i++) {
      fail("h" + i, "web");
    }
    await("the grouped notification", () -> !receiver.accepted().isEmpty());
    report("h0", "web", true);
    await("the recovery after it", () -> receiver.accepted().size() >= 2);

    List<WebhookReceiver.Received> requests = receiver.accepted();
    assertThat(requests).hasSize(2);
    JsonObject grouped = requests.get(0).json();
    assertThat(grouped.getJsonArray("alerts")).hasSize(50);
    assertThat(grouped.getJsonObject("fleet").getInteger("hosts")).isEqualTo(50);
    assertThat(grouped.getString("text")).startsWith("🔥 fleet: 50 checks failing on 50 hosts at once");
    assertThat(kinds(List.of(requests.get(1)))).containsExactly("recovered:web");
  }
}
