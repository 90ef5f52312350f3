package dev.kelpie.cli;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stuck jobs remediated end to end: a real coordinator and agent, a real PostgreSQL table (a schema per test), the
 * remediation ordered through the API and the command line, or by a jobs check's own policy.
 */
@DisplayName("remediation of stuck jobs, on demand and on a check's policy")
class RemediateTest {

  private static final String DB = System.getenv().getOrDefault("KELPIE_TEST_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/test");

  private final String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private Vertx vertx;
  private Pool db;
  private TestFleet fleet;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    db = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(DB))
      .using(vertx).build();
    db.query("CREATE SCHEMA " + schema).execute().await();
    for (String table : List.of("jobs", "batch")) {
      db.query("CREATE TABLE " + schema + "." + table + " (id bigint PRIMARY KEY, status text NOT NULL, "
        + "updated_at timestamptz NOT NULL, reason text)").execute().await();
    }
    db.query("INSERT INTO " + schema + ".jobs (id, status, updated_at) VALUES "
      + "(1, 'running', now() - interval '1 hour'), (2, 'running', now() - interval '20 minutes'), "
      + "(3, 'running', now() - interval '1 minute'), (4, 'done', now() - interval '2 hours'), "
      + "(6, 'running', now() - interval '15 minutes')").execute().await();
    fleet = new TestFleet();
    fleet.startCoordinator();
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
    db.query("DROP SCHEMA " + schema + " CASCADE").execute().await();
    vertx.close().await();
  }

  private void startAgent(String batchPolicy) throws Exception {
    fleet.startAgent("  - {id: jobs, type: jobs, database: \"" + DB + "\", table: " + schema + ".jobs, "
      + "stuckAfter: 10m, reasonColumn: reason, interval: 60s, timeout: 5s}\n"
      + "  - {id: batch, type: jobs, service: demo, database: \"" + DB + "\", table: " + schema + ".batch, "
      + "stuckAfter: 10m, reasonColumn: reason, interval: 300ms, timeout: 5s, policy: " + batchPolicy + "}\n");
    fleet.awaitOutput("the demo healthy", Duration.ofSeconds(30), () -> fleet.remote("status"),
      out -> out.matches("(?s).*web-01/demo-http\\s+healthy.*") && out.contains("web-01/jobs"));
  }

  @Test
  @DisplayName("kelpie remediate --dry-run lists the stuck rows and changes nothing; the run sets exactly those to "
    + "failed with the reason, a second changes nothing; each is an action with who, how many rows and which ids")
  void onDemandByTheCommandLine() throws Exception {
    startAgent("{failureThreshold: 2}");
    List<String> before = table("jobs");

    TestFleet.Run dry = fleet.remote("remediate", "web-01/jobs", "--dry-run", "--reason", "look first");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).startsWith("dry run of web-01/jobs: 3 rows would be set to failed: 1, 2, 6 (command ");
    assertThat(table("jobs")).isEqualTo(before);

    TestFleet.Run run = fleet.remote("remediate", "web-01/jobs", "--reason", "queue drained");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("remediation of web-01/jobs: 3 rows set to failed: 1, 2, 6 (command ");
    assertThat(table("jobs")).containsExactly("1 failed", "2 failed", "3 running", "4 done", "6 failed");
    assertThat(reason(1)).contains("operator " + TestFleet.TOKEN_NAME + ": queue drained");

    TestFleet.Run again = fleet.remote("remediate", "web-01/jobs", "--reason", "again");
    assertThat(again.out()).startsWith("remediation of web-01/jobs: 0 rows set to failed (command ");

    JsonArray actions = actions("jobs");
    assertThat(actions).hasSize(3);
    JsonObject first = actions.getJsonObject(2);
    assertThat(first.getString("action")).isEqualTo("remediate");
    assertThat(first.getString("issuedBy")).isEqualTo(TestFleet.TOKEN_NAME);
    assertThat(first.getString("status")).isEqualTo("done");
    assertThat(first.getString("reason")).isEqualTo("operator " + TestFleet.TOKEN_NAME + " (dry run): look first");
    assertThat(first.getString("detail")).isEqualTo("dry run: 3 rows would be changed: 1, 2, 6");
    assertThat(first.getJsonObject("remediation")).isEqualTo(new JsonObject().put("dryRun", true).put("count", 3)
      .put("ids", new JsonArray().add("1").add("2").add("6")));
    assertThat(actions.getJsonObject(1).getJsonObject("remediation")).isEqualTo(new JsonObject()
      .put("dryRun", false).put("count", 3).put("ids", new JsonArray().add("1").add("2").add("6")));
    assertThat(actions.getJsonObject(0).getJsonObject("remediation").getInteger("count")).isZero();

    TestFleet.Run noReason = fleet.remote("remediate", "web-01/jobs");
    assertThat(noReason.exit()).isEqualTo(2);
    assertThat(noReason.err()).contains("--reason");
    TestFleet.Run unknown = fleet.remote("remediate", "web-01/nope", "--reason", "x");
    assertThat(unknown.exit()).isEqualTo(KelpieCli.REFUSED);
    assertThat(unknown.err()).contains("404").contains("no check 'nope'");
  }

  @Test
  @DisplayName("POST /api/agents/{agent}/checks/{check}/remediate answers the rows; an unknown agent or check is a "
    + "404, a check that is not a jobs check a 400 naming it, a bad body a 400")
  void api() throws Exception {
    startAgent("{failureThreshold: 2}");
    HttpResponse<String> dry = post("/api/agents/web-01/checks/jobs/remediate", "{\"dryRun\": true}");
    assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(dry.body());
    assertThat(answer.getString("status")).isEqualTo("done");
    assertThat(answer.getJsonObject("remediation")).isEqualTo(new JsonObject().put("dryRun", true).put("count", 3)
      .put("ids", new JsonArray().add("1").add("2").add("6")));
    assertThat(table("jobs")).contains("1 running");

    HttpResponse<String> notJobs = post("/api/agents/web-01/checks/demo-http/remediate", "{\"dryRun\": true}");
    assertThat(notJobs.statusCode()).isEqualTo(400);
    assertThat(notJobs.body()).contains("check 'demo-http' of agent 'web-01' is a http check; only jobs checks can "
      + "be remediated");
    HttpResponse<String> noCheck = post("/api/agents/web-01/checks/nope/remediate", "{}");
    assertThat(noCheck.statusCode()).isEqualTo(404);
    assertThat(noCheck.body()).contains("agent 'web-01' has no check 'nope'");
    HttpResponse<String> noAgent = post("/api/agents/web-99/checks/jobs/remediate", "{}");
    assertThat(noAgent.statusCode()).isEqualTo(404);
    assertThat(noAgent.body()).contains("web-99");
    HttpResponse<String> bad = post("/api/agents/web-01/checks/jobs/remediate", "{\"dryRun\": \"yes\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("dryRun");
    assertThat(table("jobs")).contains("1 running", "2 running", "6 running");
  }

  @Test
  @DisplayName("a jobs check whose policy's action is remediate gets a remediate command from the policy when it "
    + "crosses its threshold, recorded with who = policy, and its service is never restarted")
  void onThePolicy() throws Exception {
    startAgent("{failureThreshold: 2, startupGrace: 0s, action: remediate}");
    long pid = fleet.recordedPid();
    db.query("INSERT INTO " + schema + ".batch (id, status, updated_at) VALUES "
      + "(10, 'running', now() - interval '1 hour'), (11, 'running', now() - interval '30 minutes'), "
      + "(12, 'running', now())").execute().await();
    TestFleet.await("the policy's remediation", Duration.ofSeconds(30), () -> table("batch").contains("10 failed"));
    assertThat(table("batch")).containsExactly("10 failed", "11 failed", "12 running");
    assertThat(reason(10, "batch")).contains("batch: ");
    TestFleet.await("the action answered", Duration.ofSeconds(15),
      () -> !actions("batch").isEmpty() && actions("batch").getJsonObject(0).getString("status") != null);
    JsonObject action = actions("batch").getJsonObject(0);
    assertThat(action.getString("action")).isEqualTo("remediate");
    assertThat(action.getString("issuedBy")).isEqualTo("policy");
    assertThat(action.getJsonObject("remediation")).isEqualTo(new JsonObject().put("dryRun", false).put("count", 2)
      .put("ids", new JsonArray().add("10").add("11")));
    fleet.awaitOutput("the batch check healthy again", Duration.ofSeconds(20), () -> fleet.remote("status"),
      out -> out.matches("(?s).*web-01/batch\\s+healthy.*"));
    assertThat(actions("demo")).as("no restart of the service").isEmpty();
    assertThat(fleet.recordedPid()).isEqualTo(pid);
  }

  private JsonArray actions(String service) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(fleet.url() + "/api/actions?agent=web-01&service=" + service))
        .header("Authorization", "Bearer " + TestFleet.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(response.body()).getJsonArray("items");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(fleet.url() + path))
      .header("Authorization", "Bearer " + TestFleet.TOKEN).header("content-type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private List<String> table(String table) {
    List<String> rows = new ArrayList<>();
    for (Row row : db.query("SELECT id, status FROM " + schema + "." + table + " ORDER BY id").execute().await()) {
      rows.add(row.getLong(0) + " " + row.getString(1));
    }
    return rows;
  }

  private String reason(long id) {
    return reason(id, "jobs");
  }

  private String reason(long id, String table) {
    return db.query("SELECT reason FROM " + schema + "." + table + " WHERE id = " + id).execute().await().iterator()
      .next().getString(0);
  }
}
