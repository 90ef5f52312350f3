package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.store.TcpProxy;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL frozen through a proxy (connections open, nothing answers): the coordinator says so within seconds,
 * keeps deciding at its usual pace (a hang is restarted during the freeze), the agent stays connected, and afterwards
 * every report is stored once.
 */
class StoreFreezeTest {

  private static final String AGENT = "host-f";
  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final int THRESHOLD = 3;
  private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(500);

  private final String schema = TestDatabase.newSchema();
  private Fleet fleet;
  private int demoPort;
  private Path journal;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    demoPort = Fleet.freePort();
    journal = Files.createTempDirectory("kelpie-journal");
  }

  @AfterEach
  void stop() {
    fleet.close();
    TestDatabase.dropSchema(schema);
  }

  private String agentConfig() {
    return "metrics: {port: 0}\nservices:\n  - name: demo\n    command: " + fleet.demoCommand(demoPort) + "\n    port: " + demoPort
      + "\n    stopGrace: 1s\n"
      + "checks:\n  - id: demo-http\n    type: http\n    service: demo\n    url: http://127.0.0.1:" + demoPort
      + "/health\n    connectTimeout: 500ms\n    timeout: " + RESPONSE_TIMEOUT.toMillis() + "ms\n    interval: "
      + INTERVAL.toMillis() + "ms\n    policy: {failureThreshold: " + THRESHOLD + ", startupGrace: 1s, "
      + "startupDeadline: 30s, budget: {restarts: 3, per: 1h}, backoff: {initial: 0s, max: 0s}}\n"
      + "  - {id: port, type: tcp, host: 127.0.0.1, port: " + fleet.coordinatorPort() + ", interval: 50ms}\n";
  }

  private long agentReconnects() throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
      + fleet.agentMetricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(line -> line.startsWith("kelpie_agent_reconnects_total"))
      .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private List<Long> storedSeqs() throws Exception {
    List<Long> seqs = new ArrayList<>();
    try (Connection c = TestDatabase.jdbc(schema); ResultSet rows = c.createStatement().executeQuery(
      "SELECT seq FROM results UNION ALL SELECT seq FROM process_events ORDER BY seq")) {
      while (rows.next()) {
        seqs.add(rows.getLong(1));
      }
    }
    return seqs;
  }

  private String readyState() {
    HttpResponse<String> ready = fleet.get("/ready");
    return ready.statusCode() + " " + new JsonObject(ready.body()).getJsonObject("dependencies")
      .getJsonObject("store").getString("state");
  }

  @Test
  @DisplayName("PostgreSQL frozen: /ready 503 within 5 s, a hang restarted at the usual pace during the freeze, the "
    + "agent told to wait (not disconnected) once the backlog is full, and afterwards every report stored once with "
    + "the restart's full record")
  void databaseFrozen() throws Exception {
    URI db = URI.create(TestDatabase.url());
    try (TcpProxy proxy = new TcpProxy(db.getHost(), db.getPort())) {
      int port = proxy.start();
      String viaProxy = TestDatabase.url().replace(db.getHost() + ":" + db.getPort(), "127.0.0.1:" + port);
      fleet.store("store: {postgres: {url: \"" + viaProxy + "\", schema: " + schema + "}, writeTimeout: 2s, backlog: 1000, "
        + "journal: \"" + journal + "\"}\n");
      fleet.startCoordinator(AGENT);
      fleet.startAgent(AGENT, agentConfig());
      fleet.await("healthy", Duration.ofSeconds(60), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
      long pid = fleet.pid(AGENT, "demo");
      long reconnectsBefore = agentReconnects();

      proxy.freeze();
      long frozenAt = System.nanoTime();
      fleet.await("not ready", Duration.ofSeconds(15), () -> readyState().equals("503 down"));
      Duration toNotReady = Duration.ofNanos(System.nanoTime() - frozenAt);
      assertThat(toNotReady).as("freeze to /ready 503").isLessThanOrEqualTo(Duration.ofSeconds(5));
      assertThat(fleet.api().getJsonObject("store").getString("reason")).contains("did not complete within");

      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demoPort + "/hang"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      long hungAt = System.nanoTime();
      fleet.await("the restart ordered", Duration.ofSeconds(15), () -> fleet.check(AGENT, "demo-http")
        .map(c -> c.getInteger("restartsUsed", 0) == 1).orElse(false));
      Duration toRestart = Duration.ofNanos(System.nanoTime() - hungAt);
      assertThat(toRestart).as("hang to restart during the freeze, within interval x threshold + timeout + 1 s")
        .isLessThanOrEqualTo(INTERVAL.multipliedBy(THRESHOLD).plus(RESPONSE_TIMEOUT).plusSeconds(1));
      fleet.await("a new pid, healthy, still frozen", Duration.ofSeconds(30), () -> {
        Long now = fleet.pid(AGENT, "demo");
        return now != null && now != pid && "healthy".equals(fleet.state(AGENT, "demo-http"));
      });
      try (Stream<Path> waiting = Files.list(journal)) {
        assertThat(waiting).as("the decision waits in the local journal").hasSize(1);
      }
      fleet.await("the backlog at its bound: the agent told to wait", Duration.ofSeconds(90), () ->
        fleet.api().getJsonObject("store").getInteger("backlog") >= 1000);
      long waitEnds = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < waitEnds) {
        assertThat(readyState()).isEqualTo("503 down");
        Fleet.pause(Duration.ofMillis(500));
      }
      assertThat(agentReconnects()).as("told to wait, the agent stays connected").isEqualTo(reconnectsBefore);

      proxy.thaw();
      fleet.await("ready again", Duration.ofSeconds(30), () -> fleet.get("/ready").statusCode() == 200);
      assertThat(agentReconnects()).as("the agent stayed connected").isEqualTo(reconnectsBefore);
      long taken = fleet.agent(AGENT).orElseThrow().getLong("lastSeq");
      fleet.await("everything taken is stored", Duration.ofSeconds(30), () -> {
        try {
          List<Long> seqs = storedSeqs();
          return !seqs.isEmpty() && seqs.get(seqs.size() - 1) >= taken;
        } catch (Exception e) {
          return false;
        }
      });
      List<Long> seqs = storedSeqs();
      long missing = 0;
      for (int i = 1; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("stored once: no duplicate at %s", i).isGreaterThan(seqs.get(i - 1));
        missing += seqs.get(i) - seqs.get(i - 1) - 1;
      }
      assertThat(missing).as("no gap but the restart's answer (kept with its action, not with results)")
        .isLessThanOrEqualTo(1);
      fleet.await("the journal emptied once the store has the decision", Duration.ofSeconds(10), () -> {
        try (Stream<Path> waiting = Files.list(journal)) {
          return waiting.findAny().isEmpty();
        } catch (Exception e) {
          return false;
        }
      });
      try (Connection c = TestDatabase.jdbc(schema); ResultSet rows = c.createStatement().executeQuery(
        "SELECT reason, issued_at, epoch, status FROM actions WHERE action = 'restart'")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString("reason")).startsWith("demo-http: ");
        assertThat(rows.getObject("issued_at")).isNotNull();
        assertThat(rows.getLong("epoch")).isPositive();
        assertThat(rows.getString("status")).isEqualTo("done");
        assertThat(rows.next()).as("one restart").isFalse();
      }
    }
  }
}
