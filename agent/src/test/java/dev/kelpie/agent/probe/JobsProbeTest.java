package dev.kelpie.agent.probe;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stuck jobs in a real PostgreSQL table: counted by the check, listed by a dry run, set to failed once. */
class JobsProbeTest {

  private static final String SCHEMA = TestPostgres.newSchema();
  private static Vertx vertx;
  private static Pool db;
  private ProbeHarness harness;

  @BeforeAll
  static void connect() {
    vertx = Vertx.vertx();
    db = TestPostgres.pool(vertx);
    db.query("CREATE SCHEMA " + SCHEMA).execute().await();
  }

  @AfterAll
  static void disconnect() {
    db.query("DROP SCHEMA " + SCHEMA + " CASCADE").execute().await();
    vertx.close().await();
  }

  @BeforeEach
  void jobs() {
    db.query("DROP TABLE IF EXISTS " + SCHEMA + ".jobs").execute().await();
    db.query("CREATE TABLE " + SCHEMA + ".jobs (id bigint PRIMARY KEY, status text NOT NULL, "
      + "updated_at timestamptz NOT NULL, reason text)").execute().await();
    db.query("INSERT INTO " + SCHEMA + ".jobs (id, status, updated_at) VALUES "
      + "(1, 'running', now() - interval '1 hour'), (2, 'running', now() - interval '20 minutes'), "
      + "(3, 'running', now() - interval '1 minute'), (4, 'done', now() - interval '2 hours'), "
      + "(5, 'failed', now() - interval '30 minutes'), (6, 'running', now() - interval '15 minutes'), "
      + "(7, 'queued', now() - interval '3 hours')").execute().await();
  }

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  @DisplayName("the check counts the rows stuck past their age and every status, from a JDBC URL as pasted")
  void counts() {
    harness = new ProbeHarness("checks:\n  - {id: jobs, type: jobs, database: \"" + TestPostgres.jdbcUrl() + "\", "
      + "table: " + SCHEMA + ".jobs, stuckAfter: 10m, interval: 60s, timeout: 15s}\n");
    assertThat(harness.await("jobs", 1).get(0)).satisfies(result -> {
      assertThat(result.up()).isFalse();
      assertThat(result.detail()).isEqualTo("3 stuck (status = 'running' for over 10m); by status: done 1, "
        + "failed 1, queued 1, running 4");
    });
  }

  @Test
  @DisplayName("a dry run lists exactly the stuck rows and changes nothing; the remediation then fails exactly those "
    + "still stuck, with reason and time, leaves a row finished in between alone, and a second one changes nothing")
  void remediation() {
    JobsTarget target = target();
    JobsRemediation remediation = new JobsRemediation(target);
    List<String> before = table();

    JobsRemediation.Outcome dry = remediation.dryRun(db).await();
    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.ids()).containsExactly("1", "2", "6");
    assertThat(table()).isEqualTo(before);

    db.query("UPDATE " + SCHEMA + ".jobs SET status = 'done', updated_at = now() WHERE id = 2").execute().await();
    OffsetDateTime started = db.query("SELECT now()").execute().await().iterator().next().getOffsetDateTime(0);
    JobsRemediation.Outcome done = remediation.run(db, "stuck over 10m; failed by kelpie (olga)").await();
    assertThat(done.dryRun()).isFalse();
    assertThat(done.ids()).containsExactly("1", "6");
    List<String> after = table();
    assertThat(after).containsExactly(
      "1 failed stuck over 10m; failed by kelpie (olga)", "2 done null", "3 running null", "4 done null",
      "5 failed null", "6 failed stuck over 10m; failed by kelpie (olga)", "7 queued null");
    for (Row row : db.query("SELECT updated_at FROM " + SCHEMA + ".jobs WHERE id IN (1, 6)").execute().await()) {
      assertThat(Duration.between(started, row.getOffsetDateTime(0)).abs()).isLessThan(Duration.ofMinutes(1));
    }

    assertThat(remediation.run(db, "again").await().ids()).isEmpty();
    assertThat(table()).isEqualTo(after);
  }

  @Test
  @DisplayName("on demand through the agent's bus: a dry run lists and changes nothing, the run fails those rows "
    + "with who asked in the reason, a second run changes nothing, and a check without remediation is refused")
  void onDemand() {
    harness = new ProbeHarness("checks:\n  - {id: jobs, type: jobs, database: \"" + TestPostgres.URL + "\", "
      + "table: " + SCHEMA + ".jobs, stuckAfter: 10m, reasonColumn: reason, interval: 60s, timeout: 15s}\n"
      + "  - {id: other, type: tcp, port: 1, interval: 60s}\n");
    List<String> before = table();
    JsonObject dry = remediate("jobs", true);
    assertThat(dry).isEqualTo(new JsonObject().put("checkId", "jobs").put("dryRun", true).put("count", 3)
      .put("ids", new JsonArray().add("1").add("2").add("6")));
    assertThat(table()).isEqualTo(before);

    JsonObject done = remediate("jobs", false);
    assertThat(done.getInteger("count")).isEqualTo(3);
    assertThat(table()).contains("1 failed status 'running' for over 10m; set to failed by Kelpie for olga");
    assertThat(remediate("jobs", false).getInteger("count")).isZero();

    assertThatThrownBy(() -> remediate("other", true))
      .hasMessageContaining("check 'other' (tcp) has no remediation; only jobs checks have one");
  }

  private JsonObject remediate(String checkId, boolean dryRun) {
    return harness.vertx.eventBus().<JsonObject>request(Addresses.LOCAL_REMEDIATE, new JsonObject()
      .put("checkId", checkId).put("dryRun", dryRun).put("by", "olga")).await().body();
  }

  private JobsTarget target() {
    AgentConfig config = AgentConfig.fromYaml("agent: {id: probe-test}\ncoordinator: {url: \"ws://127.0.0.1:1/bus\", "
      + "token: t}\nchecks:\n  - {id: jobs, type: jobs, database: \"" + TestPostgres.URL + "\", table: " + SCHEMA
      + ".jobs, stuckAfter: 10m, reasonColumn: reason}\n", "agent.yaml", Map.of());
    return (JobsTarget) config.checks().get(0).target();
  }

  private List<String> table() {
    List<String> rows = new ArrayList<>();
    db.query("SELECT id, status, reason FROM " + SCHEMA + ".jobs ORDER BY id").execute().await()
      .forEach(row -> rows.add(row.getLong(0) + " " + row.getString(1) + " " + row.getString(2)));
    return rows;
  }
}
