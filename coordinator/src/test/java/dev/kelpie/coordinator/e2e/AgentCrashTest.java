package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.store.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent as its own process, killed with SIGKILL while it reports: nothing it numbered is lost or skipped. */
class AgentCrashTest {

  private static final String AGENT = "host-k";
  private static final Path AGENT_JAR = Path.of(System.getProperty("kelpie.agent.jar",
    "../agent/target/kelpie-agent.jar")).toAbsolutePath().normalize();

  private final String schema = TestDatabase.newSchema();
  private Fleet fleet;
  private Process agent;

  @BeforeEach
  void start() throws Exception {
    assertThat(AGENT_JAR).as("the agent's jar (mvn package builds it)").exists();
    fleet = new Fleet();
    fleet.store("store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n");
    fleet.startCoordinator(AGENT);
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.destroyForcibly();
    }
    fleet.close();
    TestDatabase.dropSchema(schema);
  }

  private Process startAgent(Path config) throws Exception {
    return new ProcessBuilder("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", AGENT_JAR.toString(),
      "--config", config.toString())
      .redirectErrorStream(true).redirectOutput(fleet.stateDir(AGENT).resolveSibling(AGENT + ".log").toFile())
      .start();
  }

  private long lastSeq() {
    return fleet.agent(AGENT).map(a -> a.getLong("lastSeq", 0L)).orElse(0L);
  }

  private long[] stored() throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(
      "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM results WHERE agent_id = '" + AGENT + "'")) {
      rows.next();
      return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3)};
    }
  }

  @Test
  @DisplayName("an agent killed -9 five times while reporting: every number stored once, none skipped, none missing")
  void killedFiveTimes() throws Exception {
    Files.createDirectories(fleet.stateDir(AGENT));
    Path config = fleet.stateDir(AGENT).resolveSibling(AGENT + ".yaml");
    Files.writeString(config, "agent: {id: " + AGENT + ", stateDir: \"" + fleet.stateDir(AGENT) + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + fleet.coordinatorPort() + "/bus\n  token: " + Fleet.TOKEN + AGENT
      + "\n  reconnect: {initial: 100ms, max: 500ms}\n  pingInterval: 1s\n"
      + "checks:\n  - {id: port, type: tcp, host: 127.0.0.1, port: " + fleet.coordinatorPort() + ", interval: 50ms}\n");

    for (int kill = 1; kill <= 5; kill++) {
      agent = startAgent(config);
      long before = lastSeq();
      fleet.await("agent reporting (run " + kill + ")", Duration.ofSeconds(30), () -> lastSeq() > before + 20);
      Fleet.pause(Duration.ofMillis(ThreadLocalRandom.current().nextLong(0, 300)));   // a random instant
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    agent = startAgent(config);
    long killedAt = lastSeq();
    fleet.await("reports after the last kill", Duration.ofSeconds(30), () -> lastSeq() > killedAt + 20);
    agent.destroy();
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("the agent stops on SIGTERM").isTrue();

    long last = lastSeq();
    fleet.await("every acknowledged report committed", Duration.ofSeconds(10), () -> {
      try {
        return stored()[2] >= last;
      } catch (Exception e) {
        return false;
      }
    });
    long[] stored = stored();
    assertThat(stored[1]).as("the first number").isEqualTo(1);
    assertThat(stored[0]).as("reports stored, from 1 to %d without a hole", stored[2]).isEqualTo(stored[2]);
    try (Connection db = TestDatabase.jdbc(schema); ResultSet twice = db.createStatement().executeQuery(
      "SELECT count(*) FROM (SELECT check_id, at FROM results WHERE agent_id = '" + AGENT + "' "
        + "GROUP BY check_id, at HAVING count(*) > 1) again")) {
      twice.next();
      assertThat(twice.getLong(1)).as("results stored again under another number").isZero();
    }
    JsonObject view = fleet.agent(AGENT).orElseThrow();
    assertThat(view.getLong("missingReports")).as("reports the coordinator counts as lost").isZero();
  }
}
