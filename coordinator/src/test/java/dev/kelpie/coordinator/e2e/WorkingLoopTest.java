package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.alert.WebhookReceiver;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loop end to end on real processes: the demo service supervised by a real agent, judged by a real coordinator
 * over a real bridge connection, killed and respawned for real.
 */
class WorkingLoopTest {

  private static final String AGENT = "host-a";
  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final int THRESHOLD = 3;
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(500);
  private static final Duration GRACE = Duration.ofSeconds(1);
  private static final String SECRET = "e2e-secret-0123456789";

  private Fleet fleet;
  private int demoPort;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    demoPort = Fleet.freePort();
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  private String demo(String stopGrace, String budget, String extraPolicy, String... flags) {
    return "services:\n"
      + "  - name: demo\n"
      + "    command: " + fleet.demoCommand(demoPort, flags) + "\n"
      + "    port: " + demoPort + "\n"
      + "    stopGrace: " + stopGrace + "\n"
      + "    restart: {budget: " + budget + ", backoff: {initial: 0s, max: 0s}}\n"
      + "checks:\n"
      + "  - id: demo-http\n"
      + "    type: http\n"
      + "    service: demo\n"
      + "    url: http://127.0.0.1:" + demoPort + "/health\n"
      + "    connectTimeout: 500ms\n"
      + "    timeout: " + RESPONSE_TIMEOUT.toMillis() + "ms\n"
      + "    interval: " + INTERVAL.toMillis() + "ms\n"
      + "    policy:\n"
      + "      failureThreshold: " + THRESHOLD + "\n"
      + "      startupGrace: " + GRACE.toMillis() + "ms\n"
      + "      startupDeadline: 30s\n"
      + "      budget: " + budget + "\n"
      + "      backoff: {initial: 0s, max: 0s}\n"
      + extraPolicy;
  }

  private void awaitHealthy(Duration timeout) {
    fleet.await("demo-http healthy", timeout, () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
  }

  private long awaitPid() {
    fleet.await("demo running", Duration.ofSeconds(20), () -> fleet.pid(AGENT, "demo") != null);
    return fleet.pid(AGENT, "demo");
  }

  /** Coordinator, agent and demo up, the demo healthy; returns its pid. */
  private long startHealthy(String agentConfig) throws Exception {
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, agentConfig);
    long pid = awaitPid();
    awaitHealthy(Duration.ofSeconds(30));
    return pid;
  }

  private void tellDemo(String path) throws Exception {
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demoPort + path))
      .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<JsonObject> events(String type) {
    return Fleet.stream(fleet.events(AGENT)).filter(e -> type.equals(e.getString("type"))).toList();
  }

  @Test
  @DisplayName("a service that hangs with its port open is killed with its whole tree, respawned and healthy again in time")
  void hangIsDetectedAndRestarted() throws Exception {
    WebhookReceiver receiver = new WebhookReceiver();
    fleet.store("alerts:\n  receivers: [{name: hook, type: webhook, url: \"" + receiver.url() + "\", secret: "
      + SECRET + "}]\n  group: {window: 100ms}\n");
    long pid = startHealthy(demo("2s", "{restarts: 3, per: 1h}", "", "--fork-child"));
    List<Long> tree = ProcessHandle.of(pid).orElseThrow().descendants().map(ProcessHandle::pid).toList();
    assertThat(tree).as("the demo forked a child").isNotEmpty();

    Fleet.signal(pid, "STOP");
    long hungAt = System.nanoTime();
    fleet.await("a new pid, healthy", Duration.ofSeconds(30), () -> {
      Long now = fleet.pid(AGENT, "demo");
      return now != null && now != pid && "healthy".equals(fleet.state(AGENT, "demo-http"));
    });
    Duration hangToHealthy = Duration.ofNanos(System.nanoTime() - hungAt);

    assertThat(Fleet.alive(pid)).as("the hung process is gone").isFalse();
    tree.forEach(child -> assertThat(Fleet.alive(child)).as("its child %s is gone", child).isFalse());
    Duration bound = INTERVAL.multipliedBy(THRESHOLD).plus(RESPONSE_TIMEOUT).plus(GRACE).plus(Duration.ofSeconds(4));
    assertThat(hangToHealthy).as("hang to healthy, within interval x threshold + timeout + grace + 4 s")
      .isLessThanOrEqualTo(bound);
    assertThat(fleet.check(AGENT, "demo-http").orElseThrow().getInteger("restartsUsed")).isEqualTo(1);

    fleet.await("the recovery alert", Duration.ofSeconds(10), () -> receiver.accepted().stream()
      .anyMatch(request -> request.body().contains("\"recovered\"")));
    List<JsonObject> alerts = receiver.accepted().stream()
      .flatMap(request -> request.json().getJsonArray("alerts").stream()).map(JsonObject.class::cast)
      .filter(alert -> "demo-http".equals(alert.getString("checkId"))).toList();
    assertThat(alerts).extracting(alert -> alert.getString("kind"))
      .containsExactly("incident_opened", "action_taken", "action_evidence", "recovered");
    assertThat(alerts.get(1).getJsonObject("details").getJsonArray("evidence").stream()
      .map(JsonObject.class::cast).filter(result -> "down".equals(result.getString("outcome"))))
      .as("the restart alert carries the failed probes as evidence").hasSizeGreaterThanOrEqualTo(THRESHOLD);
    for (WebhookReceiver.Received request : receiver.accepted()) {
      assertThat(WebhookReceiver.verify(request, SECRET)).isTrue();
    }
    receiver.close();
  }

  @Test
  @DisplayName("a service that exits is respawned at once, without waiting for its probes to fail")
  void exitIsRespawnedAtOnce() throws Exception {
    long pid = startHealthy(demo("2s", "{restarts: 3, per: 1h}", ""));

    tellDemo("/crash");
    long crashedAt = System.nanoTime();
    fleet.await("a new pid", Duration.ofSeconds(10), () -> {
      Long now = fleet.pid(AGENT, "demo");
      return now != null && now != pid;
    });
    Duration crashToRespawn = Duration.ofNanos(System.nanoTime() - crashedAt);

    JsonObject exit = events("exited").get(0);
    assertThat(exit.getInteger("exitCode")).isEqualTo(3);
    assertThat(crashToRespawn).as("respawned before the HTTP check could fail %s times", THRESHOLD)
      .isLessThan(INTERVAL.multipliedBy(THRESHOLD));
    assertThat(fleet.check(AGENT, "demo.process").orElseThrow().getInteger("restartsUsed")).isEqualTo(1);
    awaitHealthy(Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("a service that ignores SIGTERM is killed with SIGKILL once the stop grace is over")
  void termIgnoredIsKilled() throws Exception {
    long pid = startHealthy(demo("1500ms", "{restarts: 3, per: 1h}", "", "--ignore-term"));

    tellDemo("/hang");
    fleet.await("the hung demo killed", Duration.ofSeconds(20), () -> !events("killed").isEmpty());

    JsonObject signalled = events("signalled").get(0);
    JsonObject killed = events("killed").get(0);
    assertThat(killed.getString("signal")).isEqualTo("SIGKILL");
    assertThat(killed.getString("detail")).contains("SIGKILL needed");
    Duration termToKill = Duration.between(java.time.Instant.parse(signalled.getString("time")),
      java.time.Instant.parse(killed.getString("time")));
    assertThat(termToKill).as("KILL only after the 1.5 s grace").isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    assertThat(Fleet.alive(pid)).isFalse();
    awaitHealthy(Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("a service that never gets healthy is restarted as often as the budget allows, then the check gives up")
  void neverHealthyGivesUp() throws Exception {
    fleet.startCoordinator(AGENT);
    String fastDeadline = "      waitForFirstHealthy: true\n";
    fleet.startAgent(AGENT, demo("1s", "{restarts: 2, per: 1h}", fastDeadline, "--unhealthy")
      .replace("startupDeadline: 30s", "startupDeadline: 3s"));
    fleet.await("gave up", Duration.ofSeconds(60), () -> "gave_up".equals(fleet.state(AGENT, "demo-http")));
    long pidAtGiveUp = fleet.pid(AGENT, "demo");
    long seqAtGiveUp = fleet.check(AGENT, "demo-http").orElseThrow().getJsonObject("lastResult").getLong("seq");

    fleet.await("ten more results", Duration.ofSeconds(30), () -> fleet.check(AGENT, "demo-http").orElseThrow()
      .getJsonObject("lastResult").getLong("seq") > seqAtGiveUp + 10);

    JsonObject check = fleet.check(AGENT, "demo-http").orElseThrow();
    assertThat(check.getString("state")).isEqualTo("gave_up");
    assertThat(check.getString("reason")).contains("restart budget of 2");
    assertThat(events("started").stream().filter(e -> e.getString("commandId") != null).count())
      .as("restarts ordered by the coordinator").isEqualTo(2);
    assertThat(fleet.pid(AGENT, "demo")).as("nothing more happens").isEqualTo(pidAtGiveUp);
  }

  @Test
  @DisplayName("a restarted agent leaves its services running and adopts the same pids")
  void agentRestartAdopts() throws Exception {
    fleet.startCoordinator(AGENT);
    String config = demo("2s", "{restarts: 3, per: 1h}", "", "--fork-child");
    fleet.startAgent(AGENT, config);
    long pid = awaitPid();
    awaitHealthy(Duration.ofSeconds(30));

    fleet.stopAgent();
    fleet.await("the coordinator sees the agent gone", Duration.ofSeconds(10),
      () -> "agent_lost".equals(fleet.state(AGENT, "demo-http")));
    assertThat(Fleet.alive(pid)).as("the service outlives its agent").isTrue();

    fleet.startAgent(AGENT, config);
    fleet.await("adopted", Duration.ofSeconds(20), () -> !events("adopted").isEmpty());
    assertThat(events("adopted").get(0).getLong("pid")).isEqualTo(pid);
    awaitHealthy(Duration.ofSeconds(20));
    assertThat(fleet.pid(AGENT, "demo")).isEqualTo(pid);
    assertThat(events("started")).as("nothing was spawned again").hasSize(1);
  }

  @Test
  @DisplayName("with autonomy off, while the coordinator is unreachable nothing is killed; then the buffered results "
    + "arrive in order, once")
  void coordinatorOutage() throws Exception {
    long pid = startHealthy("autonomy: off\n" + demo("2s", "{restarts: 3, per: 1h}", ""));

    fleet.stopCoordinator();
    Instant outageStart = Instant.now();
    Fleet.signal(pid, "STOP");
    Duration window = INTERVAL.multipliedBy(THRESHOLD * 3L);
    long until = System.nanoTime() + window.toNanos();
    while (System.nanoTime() < until) {
      assertThat(Fleet.alive(pid)).as("nothing is killed while the coordinator is away").isTrue();
      Fleet.pause(INTERVAL);
    }
    Instant outageEnd = Instant.now();

    List<Long> seqs = new CopyOnWriteArrayList<>();
    List<Long> resultTimes = new CopyOnWriteArrayList<>();
    fleet.startCoordinator(vertx -> vertx.eventBus().addInboundInterceptor(delivery -> {
      if (Addresses.AGENT_REPORTS.equals(delivery.message().address())) {
        ReportBatch batch = delivery.message().body() instanceof ReportBatch read ? read
          : ReportBatch.fromJson((JsonObject) delivery.message().body());
        batch.reports().forEach(report -> {
          seqs.add(report.seq());
          if (report instanceof ProbeResult) {
            resultTimes.add(report.time().toEpochMilli());
          }
        });
      }
      delivery.next();
    }), AGENT);
    fleet.await("the hung demo replaced", Duration.ofSeconds(30), () -> {
      Long now = fleet.pid(AGENT, "demo");
      return now != null && now != pid && "healthy".equals(fleet.state(AGENT, "demo-http"));
    });

    assertThat(resultTimes).as("results probed during the outage arrived")
      .anyMatch(t -> t > outageStart.toEpochMilli() + 1000 && t < outageEnd.toEpochMilli());
    for (int i = 1; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).as("report %s follows %s without gap or duplicate", i, i - 1)
        .isEqualTo(seqs.get(i - 1) + 1);
    }
    JsonObject agent = fleet.agent(AGENT).orElseThrow();
    assertThat(agent.getLong("missingReports")).isZero();
    assertThat(agent.getLong("duplicatesDropped")).isZero();
  }

  @Test
  @DisplayName("a service already running, started by hand, is adopted by its port instead of being started twice")
  void adoptByPort() throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("java", "-D" + fleet.marker(), "-jar",
      Fleet.DEMO_JAR.toString(), "--port", Integer.toString(demoPort)));
    Process byHand = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(byHand.getInputStream()))) {
      assertThat(out.readLine()).contains("listening");
    }
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, demo("2s", "{restarts: 3, per: 1h}", "")
      .replace("    stopGrace:", "    adopt: {port: " + demoPort + "}\n    stopGrace:"));
    fleet.await("adopted", Duration.ofSeconds(20), () -> !events("adopted").isEmpty());
    assertThat(events("adopted").get(0).getLong("pid")).isEqualTo(byHand.pid());
    assertThat(events("started")).isEmpty();
    awaitHealthy(Duration.ofSeconds(20));
  }
}
