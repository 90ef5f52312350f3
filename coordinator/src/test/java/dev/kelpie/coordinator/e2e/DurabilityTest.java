package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.store.TcpProxy;
import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** History in a real PostgreSQL: a coordinator that restarts mid-incident, and a database that goes away. */
class DurabilityTest {

  private static final String AGENT = "host-d";

  private Fleet fleet;
  private int demoPort;
  private final String schema = TestDatabase.newSchema();

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    // the restored state is read before the agent is back; with one loop its reconnect is served after that read
    // more often than not, with two it wins the race on a busy machine (and rightly restarts at once)
    fleet.eventLoops(1);
    demoPort = Fleet.freePort();
  }

  @AfterEach
  void stop() {
    fleet.close();
    TestDatabase.dropSchema(schema);
  }

  /** Autonomy off: these are the coordinator's decisions, kept across its restart (AgentAloneTest has the agent's). */
  private String agentConfig(String flags, String policy) {
    return "autonomy: off\nservices:\n  - name: demo\n    command: " + fleet.demoCommand(demoPort, flags.isEmpty()
      ? new String[0] : flags.split(" ")) + "\n    port: " + demoPort + "\n    stopGrace: 1s\n"
      + "checks:\n  - id: demo-http\n    type: http\n    service: demo\n    url: http://127.0.0.1:" + demoPort
      + "/health\n    interval: 500ms\n    timeout: 500ms\n    policy: " + policy + "\n";
  }

  private long count(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  @DisplayName("a coordinator restarted mid-incident keeps the restart budget, gives up on time, and kills once per decision")
  void restartMidIncident() throws Exception {
    fleet.store("store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n");
    Coordinator first = fleet.startCoordinator(AGENT);
    // the deadline outlasts the coordinator's stop and start on a loaded machine (7 s seen), so the budget is read
    // before the agent is back and the restored starting phase runs out
    fleet.startAgent(AGENT, agentConfig("--unhealthy", "{startupGrace: 500ms, startupDeadline: 15s, "
      + "budget: {restarts: 2, per: 1h}, backoff: {initial: 0s, max: 0s}}"));
    fleet.await("one restart done", Duration.ofSeconds(60), () -> fleet.check(AGENT, "demo-http")
      .map(c -> c.getInteger("restartsUsed") == 1 && "starting".equals(c.getString("phase"))).orElse(false));
    // acknowledged is not stored: wait until the respawn (and the services it changed) is committed before the stop
    fleet.await("the respawn stored", Duration.ofSeconds(30), () -> {
      try {
        return count("SELECT count(*) FROM process_events WHERE type = 'started' AND command_id IS NOT NULL") == 1;
      } catch (Exception e) {
        return false;
      }
    });

    Long respawned = fleet.pid(AGENT, "demo");
    assertThat(respawned).as("the respawned service's pid, as the coordinator knows it").isNotNull();

    fleet.stopCoordinator();
    Coordinator second = fleet.startCoordinator(AGENT);
    assertThat(second.epoch()).isGreaterThan(first.epoch());
    JsonObject restored = fleet.check(AGENT, "demo-http").orElseThrow();
    assertThat(restored.getInteger("restartsUsed")).as("the budget survives the restart").isEqualTo(1);
    assertThat(fleet.pid(AGENT, "demo")).as("services as last announced, before the agent is back")
      .isEqualTo(respawned);

    fleet.await("gave up", Duration.ofSeconds(80), () -> "gave_up".equals(fleet.state(AGENT, "demo-http")));
    fleet.await("stored", Duration.ofSeconds(10), () -> {
      try {
        return count("SELECT count(*) FROM checks WHERE memory->>'phase' = 'GAVE_UP'") == 1;
      } catch (Exception e) {
        return false;
      }
    });
    assertThat(count("SELECT count(*) FROM actions WHERE action = 'restart'")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM actions WHERE action = 'restart' AND status = 'done'")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM process_events WHERE type = 'started' AND command_id IS NOT NULL"))
      .as("each restart spawned once").isEqualTo(2);
    assertThat(count("SELECT count(*) FROM incidents WHERE closed_at IS NULL")).isEqualTo(1);

    fleet.stopCoordinator();
    fleet.startCoordinator(AGENT);
    assertThat(fleet.check(AGENT, "demo-http").orElseThrow().getString("phase"))
      .as("gave up survives a restart too").isEqualTo("gave_up");
    historyApi();
  }

  /** The history API over what the incident left in the database. */
  private void historyApi() {
    JsonObject incidents = new JsonObject(fleet.get("/api/incidents?state=open&host=host-of-" + AGENT).body());
    assertThat(incidents.getJsonArray("items")).hasSize(1);
    assertThat(incidents.getJsonArray("items").getJsonObject(0).getString("checkId")).isEqualTo("demo-http");
    String id = incidents.getJsonArray("items").getJsonObject(0).getString("id");
    JsonObject incident = new JsonObject(fleet.get("/api/incidents/" + id).body());
    assertThat(incident.getJsonArray("timeline").stream().map(e -> ((JsonObject) e).getString("what")))
      .contains("restart done", "acting -> starting", "starting -> gave_up");
    assertThat(fleet.get("/api/incidents/no-such-incident").statusCode()).isEqualTo(404);
    JsonObject actions = new JsonObject(fleet.get("/api/actions?agent=" + AGENT + "&service=demo").body());
    assertThat(actions.getJsonArray("items")).hasSize(2)
      .allSatisfy(a -> assertThat(((JsonObject) a).getString("issuedBy")).isEqualTo("demo-http"));
    JsonObject transitions = new JsonObject(fleet.get("/api/checks/" + AGENT + "/demo-http/transitions").body());
    assertThat(transitions.getJsonArray("items").getJsonObject(0).getString("to")).isEqualTo("gave_up");
    JsonObject results = new JsonObject(fleet.get("/api/checks/" + AGENT + "/demo-http/results?limit=3&from="
      + java.time.Instant.now().minus(Duration.ofMinutes(10))).body());
    assertThat(results.getJsonArray("items")).hasSize(3);
    assertThat(results.getString("next")).isNotNull();
    JsonObject week = new JsonObject(fleet.get("/api/checks/" + AGENT + "/demo-http/results?from="
      + java.time.Instant.now().minus(Duration.ofDays(7))).body());
    assertThat(week.getLong("bucketSeconds")).as("a long range is summed per bucket").isGreaterThan(1);

    HttpResponse<String> bad = fleet.get("/api/incidents?limit=5000");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getString("code")).isEqualTo("bad_parameter");
    assertThat(new JsonObject(bad.body()).getString("message")).contains("limit");
    assertThat(fleet.get("/api/actions?from=yesterday").statusCode()).isEqualTo(400);
  }

  @Test
  @DisplayName("PostgreSQL cut off for 30 s: the coordinator reports it, holds on, and afterwards every result is stored once, without gaps")
  void databaseOutage() throws Exception {
    URI db = URI.create(TestDatabase.url());
    try (TcpProxy proxy = new TcpProxy(db.getHost(), db.getPort())) {
      int port = proxy.start();
      String viaProxy = TestDatabase.url().replace(db.getHost() + ":" + db.getPort(), "127.0.0.1:" + port);
      fleet.store("store: {postgres: {url: \"" + viaProxy + "\", schema: " + schema + "}}\n");
      fleet.startCoordinator(AGENT);
      fleet.startAgent(AGENT, agentConfig("", "{startupGrace: 0s}"));
      fleet.await("healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
      assertThat(fleet.get("/ready").statusCode()).isEqualTo(200);

      proxy.cut();
      fleet.await("not ready", Duration.ofSeconds(10), () -> fleet.get("/ready").statusCode() == 503);
      HttpResponse<String> ready = fleet.get("/ready");
      assertThat(new JsonObject(ready.body()).getJsonObject("dependencies").getJsonObject("store")
        .getString("state")).isEqualTo("down");
      assertThat(fleet.api().getJsonObject("store").getString("state")).as("the outage shows in the API").isEqualTo("down");
      long outageEnds = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < outageEnds) {
        assertThat(fleet.state(AGENT, "demo-http")).as("still deciding from memory").isEqualTo("healthy");
        Fleet.pause(Duration.ofSeconds(1));
      }
      proxy.restore();
      fleet.await("ready again", Duration.ofSeconds(20), () -> fleet.get("/ready").statusCode() == 200);

      long taken = fleet.agent(AGENT).orElseThrow().getLong("lastSeq");
      fleet.await("everything taken is stored", Duration.ofSeconds(30), () -> {
        try {
          return count("SELECT max(seq) FROM (SELECT seq FROM results UNION ALL SELECT seq FROM process_events) s")
            >= taken;
        } catch (Exception e) {
          return false;
        }
      });
      List<Long> seqs = new ArrayList<>();
      try (Connection c = TestDatabase.jdbc(schema); ResultSet rows = c.createStatement().executeQuery(
        "SELECT seq FROM results UNION ALL SELECT seq FROM process_events ORDER BY seq")) {
        while (rows.next()) {
          seqs.add(rows.getLong(1));
        }
      }
      assertThat(seqs.size()).as("reports stored, once each").isGreaterThan(60);
      for (int i = 1; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("no gap or duplicate at %s", i).isEqualTo(seqs.get(i - 1) + 1);
      }
    }
  }
}
