package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent as its own process, killed -9 while routine results linger in their batch window: they were never
 * numbered, so none leaves a hole in the numbers the coordinator gets, and every report that mattered, journaled before
 * it could leave, reaches the coordinator after the restart. Style: the test thread polls real processes and files,
 * with deadlines.
 */
class LingeringReportsCrashTest {

  @TempDir
  Path dir;
  private final FakeCoordinator coordinator = new FakeCoordinator();
  private final Vertx target = Vertx.vertx();
  private final AtomicInteger probes = new AtomicInteger();
  private Process agent;

  @AfterEach
  void close() throws InterruptedException {
    if (agent != null) {
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    target.close().await();
    coordinator.close();
  }

  @Test
  @DisplayName("killed -9 while routine results linger: they are not in the journal, no number is skipped, and what "
    + "mattered survives")
  void killedWhileRoutineResultsLinger() throws Exception {
    NetServer web = target.createNetServer().connectHandler(socket -> {
      probes.incrementAndGet();
      socket.close();
    }).listen(0, "127.0.0.1").await();
    Path config = dir.resolve("agent.yaml");
    Path journal = dir.resolve("state/uplink/outbox.journal");

    // 1: the coordinator cannot be reached; the first results (they matter) are journaled, the routine ones linger
    Files.writeString(config, yaml(freePort(), web.actualPort()));
    agent = start(config);
    await("both checks' first results journaled", () -> {
      List<Report> written = journaled(journal);
      return written.stream().anyMatch(r -> ((ProbeResult) r).checkId().equals("gone"))
        && written.stream().anyMatch(r -> ((ProbeResult) r).checkId().equals("web"));
    });
    List<Report> mattered = journaled(journal);
    int probed = probes.get();
    await("five routine results of web since", () -> probes.get() >= probed + 5);
    kill();
    assertThat(journaled(journal)).as("the journal at the kill: only what mattered, not the routine results since")
      .isEqualTo(mattered);

    // 2: the coordinator is there; killed again while routine results linger after a batch left
    Files.writeString(config, yaml(coordinator.url().getPort(), web.actualPort()));
    agent = start(config);
    coordinator.await(frames -> coordinator.reports().size() >= 4);
    int probedAgain = probes.get();
    await("five routine results of web after a batch left", () -> probes.get() >= probedAgain + 5);
    kill();
    long beforeRestart = lastSeq();

    // 3: it goes on from there
    agent = start(config);
    coordinator.await(frames -> lastSeq() >= beforeRestart + 2);
    kill();

    List<Report> received = coordinator.reports();
    assertThat(received.subList(0, mattered.size())).as("what mattered before the first kill, as journaled")
      .isEqualTo(mattered);
    Map<Long, Report> byNumber = new HashMap<>();
    for (Report report : received) {
      Report earlier = byNumber.putIfAbsent(report.seq(), report);
      assertThat(earlier == null || earlier.equals(report)).as("number %d stands for one report", report.seq())
        .isTrue();
    }
    assertThat(byNumber.keySet()).as("numbers 1 to %d, none skipped", lastSeq()).hasSize((int) lastSeq());
  }

  private long lastSeq() {
    return coordinator.reports().stream().mapToLong(Report::seq).max().orElse(0);
  }

  /** web: a port that answers (its results stay UP: routine after the first); gone: a port nobody listens on. */
  private String yaml(int coordinatorPort, int webPort) throws IOException {
    return "agent: {id: web-01, stateDir: \"" + dir.resolve("state") + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + coordinatorPort + "/bus\n  token: t\n"
      + "  reconnect: {initial: 100ms, max: 200ms}\n  batchWindow: 5s\n"
      + "checks:\n"
      + "  - {id: web, type: tcp, host: 127.0.0.1, port: " + webPort + ", interval: 100ms}\n"
      + "  - {id: gone, type: tcp, host: 127.0.0.1, port: " + freePort() + ", interval: 1h}\n";
  }

  private Process start(Path config) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.kelpie.agent.AgentMain",
      "--config", config.toString())
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()))
      .start();
  }

  private void kill() throws InterruptedException {
    assertThat(agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS)).isTrue();
  }

  /** The reports in the journal as a restarted agent reads them (acknowledgements and a cut last line aside). */
  private static List<Report> journaled(Path journal) throws IOException {
    List<Report> reports = new ArrayList<>();
    if (!Files.exists(journal)) {
      return reports;
    }
    for (String line : Files.readAllLines(journal)) {
      if (line.startsWith("{") && line.endsWith("}")) {
        JsonObject json = new JsonObject(line);
        if (!json.containsKey("ack") && !json.containsKey("next")) {
          reports.add(Report.fromJson(json));
        }
      }
    }
    return reports;
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void await(String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.holds()) {
      assertThat(System.nanoTime()).as("still waiting for %s", what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
