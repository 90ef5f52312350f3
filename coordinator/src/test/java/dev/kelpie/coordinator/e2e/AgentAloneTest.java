package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.alert.WebhookReceiver;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent on its own while the coordinator is away (killed -9, or frozen with SIGSTOP): it restarts what crashes or
 * hangs with the same policy and budget, gives up locally, keeps its budget across its own restart, and hands every
 * decision back once when the coordinator returns. Coordinator, agents and demos are each a process of their own.
 */
class AgentAloneTest {

  private static final String ALONE = "host-alone";
  private static final String CENTRAL = "host-central";
  private static final String SECRET = "e2e-secret-0123456789";
  private static final String DECIDED = "decided by the agent while the coordinator was away";
  private static final Duration INTERVAL = Duration.ofMillis(200);
  private static final Duration TIMEOUT = Duration.ofMillis(300);
  private static final int THRESHOLD = 3;
  /** Crash to a new process: 1 s as the issue asks, in CI; a developer's machine shared by many builds gets 5 s. */
  private static final Duration RESPAWN = "true".equals(System.getenv("CI")) ? Duration.ofSeconds(1)
    : Duration.ofSeconds(5);

  private Outage outage;
  private Fleet fleet;
  private String schema;
  private WebhookReceiver receiver;

  @BeforeEach
  void start() throws Exception {
    assertThat(Outage.AGENT_JAR).as("the agent's jar (mvn package builds it)").exists();
    fleet = new Fleet();
    outage = new Outage(fleet);
  }

  @AfterEach
  void stop() {
    outage.close();
    if (receiver != null) {
      receiver.close();
    }
    if (schema != null) {
      TestDatabase.dropSchema(schema);
    }
  }

  /** A demo on {@code port} with its HTTP check; the check's budget is one restart, the process check's three. */
  private String demo(int port, String stopGrace, String autonomy, String... flags) {
    return "autonomy: " + autonomy + "\n"
      + "services:\n"
      + "  - name: demo\n"
      + "    command: " + fleet.demoCommand(port, flags) + "\n"
      + "    port: " + port + "\n"
      + "    stopGrace: " + stopGrace + "\n"
      + "    adopt: {port: " + port + "}\n"
      + "    restart: {budget: {restarts: 3, per: 1h}, backoff: {initial: 0s, max: 0s}}\n"
      + "checks:\n"
      + "  - id: demo-http\n"
      + "    type: http\n"
      + "    service: demo\n"
      + "    url: http://127.0.0.1:" + port + "/health\n"
      + "    connectTimeout: " + TIMEOUT.toMillis() + "ms\n"
      + "    timeout: " + TIMEOUT.toMillis() + "ms\n"
      + "    interval: " + INTERVAL.toMillis() + "ms\n"
      + "    policy: {failureThreshold: " + THRESHOLD + ", startupGrace: 1s, startupDeadline: 30s,"
      + " budget: {restarts: 1, per: 1h}, backoff: {initial: 0s, max: 0s}}\n";
  }

  private long onlyDemo(int port) {
    fleet.await("one demo on port " + port, Duration.ofSeconds(30), () -> outage.demoPids(port).size() == 1);
    return outage.demoPids(port).get(0);
  }

  /** Waits for a demo other than {@code old} on the port; returns its pid and how long it took to appear. */
  private long awaitNewDemo(int port, long old, Duration bound, String what) {
    fleet.await(what, bound, () -> outage.demoPids(port).stream().anyMatch(pid -> pid != old));
    return outage.demoPids(port).stream().filter(pid -> pid != old).findFirst().orElseThrow();
  }

  private List<JsonObject> actions(String agentId) {
    JsonObject page = new JsonObject(fleet.get("/api/actions?agent=" + agentId + "&limit=100").body());
    return Fleet.stream(page.getJsonArray("items")).toList();
  }

  private List<JsonObject> alertsOfKind(String agentId, String kind) {
    Set<String> seen = new HashSet<>();
    return receiver.accepted().stream().flatMap(request -> request.json().getJsonArray("alerts").stream())
      .map(JsonObject.class::cast).filter(alert -> kind.equals(alert.getString("kind")))
      .filter(alert -> agentId.equals(alert.getString("agentId")))
      .filter(alert -> seen.add(alert.getString("id"))).toList();
  }

  private long count(Connection db, String sql) throws Exception {
    try (ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  @DisplayName("coordinator gone: crash respawned within 1 s, hang restarted, then gave up locally; the budget "
    + "survives an agent restart; on return each local action is listed, counted and alerted once; autonomy off "
    + "kills nothing")
  void coordinatorGone() throws Exception {
    schema = TestDatabase.newSchema();
    receiver = new WebhookReceiver();
    String extra = "store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n"
      + "alerts:\n  receivers: [{name: hook, type: webhook, url: \"" + receiver.url() + "\", secret: " + SECRET
      + "}]\n  group: {window: 100ms}\n";
    int alonePort = Fleet.freePort();
    int centralPort = Fleet.freePort();
    int aloneMetrics = Fleet.freePort();
    int centralMetrics = Fleet.freePort();
    fleet.store(extra);
    fleet.startCoordinator(ALONE, CENTRAL);
    Process agent = outage.startAgent(ALONE, aloneMetrics, demo(alonePort, "1s", "on"));
    outage.startAgent(CENTRAL, centralMetrics, demo(centralPort, "1s", "off"));
    fleet.await("both demos healthy", Duration.ofSeconds(60), () -> "healthy".equals(fleet.state(ALONE, "demo-http"))
      && "healthy".equals(fleet.state(CENTRAL, "demo-http")));
    long first = onlyDemo(alonePort);
    long central = onlyDemo(centralPort);

    fleet.stopCoordinator();   // in-process, to keep the suite short; the frozen test below uses a process
    fleet.await("both agents know the coordinator is gone", Duration.ofSeconds(10),
      () -> Boolean.FALSE.equals(outage.connected(aloneMetrics)) && Boolean.FALSE.equals(outage.connected(centralMetrics)));

    // 1. a crash, with no coordinator: respawned at once
    Fleet.signal(first, "KILL");
    long crashedAt = System.nanoTime();
    Fleet.signal(central, "KILL");
    long second = awaitNewDemo(alonePort, first, Duration.ofSeconds(10), "the crashed demo respawned by its agent");
    Duration respawn = Duration.ofNanos(System.nanoTime() - crashedAt);
    System.out.println("crash to a new demo process, with no coordinator: " + respawn.toMillis() + " ms");
    assertThat(respawn).as("crash to a new demo process, with no coordinator").isLessThan(RESPAWN);
    fleet.await("the new demo listening", Duration.ofSeconds(30), () -> Outage.listening(alonePort));
    fleet.await("the new demo healthy, as the agent sees it", Duration.ofSeconds(30),
      () -> "healthy".equals(outage.keptPhase(ALONE, "demo-http")));

    // 2. a hang, with no coordinator: restarted after the threshold, as the coordinator would
    Fleet.signal(second, "STOP");
    long hungAt = System.nanoTime();
    long third = awaitNewDemo(alonePort, second, Duration.ofSeconds(30), "the hung demo restarted by its agent");
    Duration hangToRestart = Duration.ofNanos(System.nanoTime() - hungAt);
    assertThat(hangToRestart).as("hang to a new process: interval x threshold + timeout + stop grace + 4 s")
      .isLessThan(INTERVAL.multipliedBy(THRESHOLD).plus(TIMEOUT).plus(Duration.ofSeconds(5)));
    assertThat(Fleet.alive(second)).as("the hung demo is gone").isFalse();
    fleet.await("the restarted demo healthy", Duration.ofSeconds(30),
      () -> "healthy".equals(outage.keptPhase(ALONE, "demo-http")));

    // it hangs again: the check's budget (one restart) is used up, so the agent gives up and restarts nothing
    Fleet.signal(third, "STOP");
    fleet.await("gave up locally", Duration.ofSeconds(30), () -> "gave_up".equals(outage.keptPhase(ALONE,
      "demo-http")));

    // 6. the agent itself restarted during the outage: it adopts the demo and keeps the budget it had used up
    agent.destroy();
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("the agent stops on SIGTERM").isTrue();
    agent = outage.startAgent(ALONE, aloneMetrics, demo(alonePort, "1s", "on"));
    fleet.await("the restarted agent adopted the hung demo", Duration.ofSeconds(30),
      () -> outage.logText(ALONE).contains("adopted pid " + third));
    fleet.await("the restarted agent probing", Duration.ofSeconds(10),
      () -> Boolean.FALSE.equals(outage.connected(aloneMetrics)));
    Fleet.pause(INTERVAL.plus(TIMEOUT).multipliedBy(THRESHOLD + 2));   // failures enough to cross the threshold again
    assertThat(outage.demoPids(alonePort)).as("still gave up after the agent's restart: nothing restarted")
      .containsExactly(third);
    assertThat(outage.keptPhase(ALONE, "demo-http")).isEqualTo("gave_up");

    // 7. autonomy off: the crash of the other agent's demo stayed down for the whole outage
    assertThat(outage.demoPids(centralPort)).as("with autonomy off, nothing was started while away").isEmpty();

    // 4. the coordinator returns (same database): each local action merged once
    fleet.startCoordinator(ALONE, CENTRAL);
    fleet.await("the agent back and handed over", Duration.ofSeconds(30),
      () -> Boolean.TRUE.equals(outage.connected(aloneMetrics))
        && fleet.agent(ALONE).map(a -> a.getBoolean("connected", false)).orElse(false));
    fleet.await("the gave-up check shown as given up", Duration.ofSeconds(20),
      () -> "gave_up".equals(fleet.check(ALONE, "demo-http").map(c -> c.getString("phase")).orElse("")));
    JsonObject http = fleet.check(ALONE, "demo-http").orElseThrow();
    assertThat(http.getInteger("restartsUsed")).as("the HTTP check's budget counts the local restart").isEqualTo(1);
    fleet.await("the local restarts listed", Duration.ofSeconds(20), () -> actions(ALONE).stream()
      .filter(a -> "restart".equals(a.getString("action"))).count() >= 2);
    List<JsonObject> restarts = actions(ALONE).stream().filter(a -> "restart".equals(a.getString("action"))).toList();
    assertThat(restarts).as("each local restart listed once, none by the coordinator").hasSize(2)
      .allSatisfy(a -> {
        assertThat(a.getString("issuedBy")).isEqualTo("agent");
        assertThat(a.getString("reason")).startsWith(DECIDED);
        assertThat(a.getString("status")).isEqualTo("done");
      });
    assertThat(restarts.stream().map(a -> a.getString("commandId")).distinct()).hasSize(2);
    assertThat(fleet.check(ALONE, "demo.process").orElseThrow().getInteger("restartsUsed"))
      .as("the process check's budget counts the crash restart").isEqualTo(1);

    JsonArray incidents = new JsonObject(fleet.get("/api/incidents?agent=" + ALONE + "&check=demo-http").body())
      .getJsonArray("items");
    assertThat(incidents).as("one incident for the hangs").hasSize(1);
    JsonObject incident = new JsonObject(fleet.get("/api/incidents/" + incidents.getJsonObject(0).getString("id"))
      .body());
    assertThat(incident.encode()).as("the incident's timeline").contains(DECIDED);

    fleet.await("the late action alerts", Duration.ofSeconds(20), () -> alertsOfKind(ALONE, "action_taken").size() >= 2);
    Fleet.pause(Duration.ofSeconds(2));   // a repeat would have come by now
    List<JsonObject> late = alertsOfKind(ALONE, "action_taken");
    assertThat(late).as("one alert per local restart, marked late").hasSize(2)
      .allSatisfy(alert -> assertThat(alert.getJsonObject("details").getBoolean("late")).isTrue());
    assertThat(outage.demoPids(alonePort)).as("no second restart once the coordinator is back")
      .containsExactly(third);

    long lastSeq = fleet.agent(ALONE).orElseThrow().getLong("lastSeq");
    assertThat(fleet.agent(ALONE).orElseThrow().getLong("missingReports")).isZero();
    String numbered = "(SELECT seq FROM results WHERE agent_id = '" + ALONE + "' UNION ALL SELECT seq FROM "
      + "process_events WHERE agent_id = '" + ALONE + "') s";
    try (Connection db = TestDatabase.jdbc(schema)) {
      // command results are stored as the answers of actions, not by number: with them, 1..lastSeq is full
      fleet.await("reports 1.." + lastSeq + " stored", Duration.ofSeconds(15), () -> {
        try {
          return count(db, "SELECT count(*) FROM " + numbered + " WHERE seq <= " + lastSeq)
            + count(db, "SELECT count(*) FROM actions WHERE agent_id = '" + ALONE + "' AND status IS NOT NULL")
            == lastSeq;
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(count(db, "SELECT min(seq) FROM " + numbered)).as("the first number").isEqualTo(1);
      assertThat(count(db, "SELECT count(DISTINCT seq) FROM " + numbered)).as("every report stored once")
        .isEqualTo(count(db, "SELECT count(*) FROM " + numbered));
    }
  }

  @Test
  @DisplayName("coordinator frozen (SIGSTOP): the agent notices within the ping timeout and restarts a hang itself; "
    + "the coordinator resumes in the middle of that restart: exactly one restart; then killed -9: a crash is "
    + "respawned within 1 s. The agent's first URL is dead: it fails over to the coordinator")
  void coordinatorFrozen() throws Exception {
    int port = Fleet.freePort();
    int metrics = Fleet.freePort();
    outage.startCoordinator("", ALONE);
    outage.startAgent(ALONE, metrics, demo(port, "5s", "on", "--ignore-term"), true);   // fails over to it
    fleet.await("the demo healthy", Duration.ofSeconds(60), () -> "healthy".equals(fleet.state(ALONE, "demo-http")));
    fleet.await("the agent connected", Duration.ofSeconds(10), () -> Boolean.TRUE.equals(outage.connected(metrics)));
    long first = onlyDemo(port);

    Fleet.signal(outage.coordinatorPid(), "STOP");
    long frozenAt = System.nanoTime();
    fleet.await("the agent notices the silent coordinator", Duration.ofSeconds(15),
      () -> Boolean.FALSE.equals(outage.connected(metrics)));
    assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).as("noticed within the ping timeout (3 x 500 ms) and"
      + " one ping interval, plus 1.5 s for a shared machine").isLessThan(Duration.ofMillis(3500));

    // the demo hangs: the agent decides; its restart holds the 5 s stop grace, as this demo ignores TERM
    Fleet.signal(first, "STOP");
    fleet.await("the agent restarting the demo", Duration.ofSeconds(15),
      () -> "acting".equals(outage.keptPhase(ALONE, "demo-http")));
    Fleet.signal(outage.coordinatorPid(), "CONT");
    fleet.await("the agent back with its coordinator", Duration.ofSeconds(15),
      () -> Boolean.TRUE.equals(outage.connected(metrics)));
    assertThat(outage.demoPids(port)).as("the coordinator is back in the middle of the local restart")
      .containsExactly(first);

    long second = awaitNewDemo(port, first, Duration.ofSeconds(30), "the local restart finished");
    fleet.await("the demo healthy again", Duration.ofSeconds(30),
      () -> "healthy".equals(fleet.state(ALONE, "demo-http")));
    Fleet.pause(INTERVAL.plus(TIMEOUT).multipliedBy(THRESHOLD));   // time for a second restart, if one were coming
    assertThat(outage.demoPids(port)).as("exactly one restart").containsExactly(second);
    List<JsonObject> restarts = actions(ALONE).stream().filter(a -> "restart".equals(a.getString("action"))).toList();
    assertThat(restarts.stream().filter(a -> "done".equals(a.getString("status"))).toList())
      .as("one restart done, the agent's").singleElement()
      .satisfies(a -> assertThat(a.getString("issuedBy")).isEqualTo("agent"));
    assertThat(restarts).as("any command of the coordinator meanwhile was refused as busy")
      .allSatisfy(a -> assertThat(a.getString("status")).isIn("done", "busy"));
    assertThat(fleet.check(ALONE, "demo-http").orElseThrow().getInteger("restartsUsed")).isEqualTo(1);

    // the coordinator process killed -9: a crash is respawned at once, with no coordinator
    outage.killCoordinator();
    fleet.await("the agent knows the coordinator is gone", Duration.ofSeconds(10),
      () -> Boolean.FALSE.equals(outage.connected(metrics)));
    Fleet.signal(second, "KILL");
    long crashedAt = System.nanoTime();
    awaitNewDemo(port, second, Duration.ofSeconds(10), "the crashed demo respawned by its agent");
    assertThat(Duration.ofNanos(System.nanoTime() - crashedAt)).as("crash to a new demo process, no coordinator")
      .isLessThan(RESPAWN);
  }
}
