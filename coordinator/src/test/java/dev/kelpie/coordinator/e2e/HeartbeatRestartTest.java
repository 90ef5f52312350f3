package dev.kelpie.coordinator.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A newer probe type through the whole loop: a service alive but stuck stops its heartbeat and is restarted. */
class HeartbeatRestartTest {

  private static final String AGENT = "host-h";
  private static final String TOKEN = "kick-token-0123456789";
  private static final Path KICKER = Path.of("../agent/src/test/resources/probe/Kicker.java").toAbsolutePath()
    .normalize();

  @TempDir
  Path dir;
  private Fleet fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    fleet.startCoordinator(AGENT);
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("a service whose main loop stalls (alive, no kicks) is restarted by its heartbeat check, and is "
    + "healthy again once its new instance kicks")
  void stalledServiceRestarted() throws Exception {
    int kickPort = Fleet.freePort();
    Path stall = dir.resolve("stall");
    fleet.startAgent(AGENT, "services:\n"
      + "  - name: kicker\n"
      + "    command: [\"" + javaLauncher() + "\", \"-D" + fleet.marker() + "\", \"" + KICKER + "\", \"" + kickPort
      + "\", " + TOKEN + ", \"" + stall + "\"]\n"
      + "    stopGrace: 1s\n"
      + "checks:\n"
      + "  - {id: kicker-beat, type: heartbeat, service: kicker, kickPort: " + kickPort + ", token: " + TOKEN
      + ", deadline: 2s, interval: 300ms,\n"
      + "     policy: {failureThreshold: 2, startupGrace: 0s, startupDeadline: 60s, budget: {restarts: 3, per: 1h},"
      + " backoff: {initial: 0s, max: 0s}}}\n");
    fleet.await("the heartbeat healthy", Duration.ofSeconds(60),
      () -> "healthy".equals(fleet.state(AGENT, "kicker-beat")));
    long firstPid = fleet.pid(AGENT, "kicker");

    Files.createFile(stall);
    fleet.await("a restart", Duration.ofSeconds(30), () -> {
      Long pid = fleet.pid(AGENT, "kicker");
      return pid != null && pid != firstPid;
    });
    fleet.await("the new instance judged on its own kicks", Duration.ofSeconds(10),
      () -> fleet.check(AGENT, "kicker-beat").map(c -> c.getJsonObject("lastResult").getString("detail"))
        .orElse("").contains(" since kicker started"));
    Files.delete(stall);
    assertThat(Fleet.alive(firstPid)).as("the stalled instance was killed").isFalse();
    assertThat(fleet.check(AGENT, "kicker-beat").orElseThrow().getInteger("restartsUsed")).isPositive();

    fleet.await("healthy again", Duration.ofSeconds(60),
      () -> "healthy".equals(fleet.state(AGENT, "kicker-beat")));
  }

  private static String javaLauncher() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
