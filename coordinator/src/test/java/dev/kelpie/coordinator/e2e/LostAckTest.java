package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.store.TcpProxy;
import dev.kelpie.coordinator.store.TestDatabase;
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

/**
 * Acknowledgements lost on purpose: reports the coordinator stored but the agent was never told about. The agent (its
 * own process, journaling) sends them again after it reconnects; none is stored twice, under its number or under
 * another, and the numbers have no hole.
 */
class LostAckTest {

  private static final String AGENT = "host-ack";
  private static final Path AGENT_JAR = Path.of(System.getProperty("kelpie.agent.jar",
    "../agent/target/kelpie-agent.jar")).toAbsolutePath().normalize();

  private final String schema = TestDatabase.newSchema();
  private Fleet fleet;
  private Process agent;
  private Process coordinator;
  private TcpProxy proxy;

  @BeforeEach
  void start() throws Exception {
    assertThat(AGENT_JAR).as("the agent's jar (mvn package builds it)").exists();
    fleet = new Fleet();
    Files.createDirectories(fleet.stateDir(AGENT));
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (coordinator != null) {
      coordinator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
    fleet.close();
    TestDatabase.dropSchema(schema);
  }

  private String storeYaml() {
    return "store: {postgres: {url: \"" + TestDatabase.url() + "\", schema: " + schema + "}}\n";
  }

  private Process startAgent(int coordinatorPort) throws Exception {
    Path config = fleet.stateDir(AGENT).resolveSibling(AGENT + ".yaml");
    Files.writeString(config, "agent: {id: " + AGENT + ", stateDir: \"" + fleet.stateDir(AGENT) + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + coordinatorPort + "/bus\n  token: " + Fleet.TOKEN + AGENT
      + "\n  reconnect: {initial: 100ms, max: 500ms}\n  pingInterval: 1s\n"
      + "checks:\n  - {id: port, type: tcp, host: 127.0.0.1, port: " + fleet.coordinatorPort() + ", interval: 50ms}\n");
    return new ProcessBuilder("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", AGENT_JAR.toString(),
      "--config", config.toString())
      .redirectErrorStream(true).redirectOutput(fleet.stateDir(AGENT).resolveSibling(AGENT + ".log").toFile())
      .start();
  }

  /** The coordinator's main class as its own process, halting right after it commits report {@code haltAfterSeq}. */
  private Process startCoordinator(Long haltAfterSeq, String log) throws Exception {
    Path config = fleet.stateDir(AGENT).resolveSibling("coordinator.yaml");
    Files.writeString(config, "http: {host: 127.0.0.1, port: " + fleet.coordinatorPort() + "}\n"
      + "agents:\n  - {id: " + AGENT + ", token: " + Fleet.TOKEN + AGENT + "}\n"
      + storeYaml() + "access:\n  localViewing: true\n  tokens:\n    - {name: " + Fleet.OPERATOR_TOKEN_NAME
      + ", role: operator, tokenSha256: " + Fleet.sha256(Fleet.OPERATOR_TOKEN) + "}\n");
    return haltAfterSeq == null ? fleet.coordinatorProcess(config, log)
      : fleet.coordinatorProcess(config, log, "kelpie.test.haltAt=after-store-before-ack",
        "kelpie.test.haltAfterSeq=" + haltAfterSeq);
  }

  private long lastSeq() {
    try {
      return fleet.agent(AGENT).map(a -> a.getLong("lastSeq", 0L)).orElse(0L);
    } catch (RuntimeException down) {
      return 0;
    }
  }

  private long query(String sql) throws Exception {
    try (Connection db = TestDatabase.jdbc(schema); ResultSet rows = db.createStatement().executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private long storedUpTo() {
    try {
      return query("SELECT coalesce(max(seq), 0) FROM results WHERE agent_id = '" + AGENT + "'");
    } catch (Exception e) {
      return 0;
    }
  }

  /** Stops the agent cleanly, waits for all it numbered to be stored, and checks every report is there once. */
  private void assertEveryReportStoredOnce() throws Exception {
    long last = lastSeq();
    agent.destroy();
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("the agent stops on SIGTERM").isTrue();
    fleet.await("every report the coordinator took committed", Duration.ofSeconds(10), () -> storedUpTo() >= last);
    String mine = " FROM results WHERE agent_id = '" + AGENT + "'";
    assertThat(query("SELECT count(*) FROM (SELECT seq" + mine + " GROUP BY seq HAVING count(*) > 1) twice"))
      .as("numbers stored more than once").isZero();
    assertThat(query("SELECT count(*) FROM (SELECT check_id, at" + mine + " GROUP BY check_id, at "
      + "HAVING count(*) > 1) twice")).as("results stored again under another number").isZero();
    long max = query("SELECT max(seq)" + mine);
    assertThat(query("SELECT min(seq)" + mine)).as("the first number").isEqualTo(1);
    assertThat(query("SELECT count(*)" + mine)).as("reports stored, from 1 to %d without a hole", max).isEqualTo(max);
    assertThat(fleet.agent(AGENT).orElseThrow().getLong("missingReports")).as("reports counted as lost").isZero();
  }

  @Test
  @DisplayName("the coordinator halts right after committing a batch, before the acknowledgement that says so leaves; "
    + "started again, it is sent nothing twice and stores every report once, without a hole")
  void haltedBetweenStoreAndAck() throws Exception {
    coordinator = startCoordinator(60L, "coordinator-halting.log");
    fleet.awaitReady();
    agent = startAgent(fleet.coordinatorPort());
    assertThat(coordinator.waitFor(90, TimeUnit.SECONDS)).as("the coordinator halted after the store").isTrue();
    assertThat(coordinator.exitValue()).isEqualTo(137);
    long storedAtHalt = storedUpTo();
    assertThat(storedAtHalt).as("stored when it halted").isGreaterThanOrEqualTo(60);

    coordinator = startCoordinator(null, "coordinator-again.log");
    fleet.awaitReady();
    fleet.await("reports after the restart", Duration.ofSeconds(60), () -> lastSeq() > storedAtHalt + 40);
    assertEveryReportStoredOnce();
  }

  @Test
  @DisplayName("the connection cut five times while reports flow (acknowledgements of stored batches lost with it): "
    + "every report stored once, without a hole")
  void connectionCutWhileAcknowledging() throws Exception {
    fleet.store(storeYaml());
    fleet.startCoordinator(AGENT);
    proxy = new TcpProxy("127.0.0.1", fleet.coordinatorPort());
    agent = startAgent(proxy.start());
    for (int cut = 1; cut <= 5; cut++) {
      long before = lastSeq();
      fleet.await("reports flowing (cut " + cut + ")", Duration.ofSeconds(30), () -> lastSeq() > before + 30);
      Fleet.pause(Duration.ofMillis(ThreadLocalRandom.current().nextLong(0, 200)));   // a random instant
      proxy.dropConnections();
    }
    long afterCuts = lastSeq();
    fleet.await("reports after the last cut", Duration.ofSeconds(30), () -> lastSeq() > afterCuts + 30);
    assertEveryReportStoredOnce();
  }
}
