package dev.kelpie.cli;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("kelpie, over the coordinator's API")
class RemoteCommandsTest {

  private TestFleet fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet();
    fleet.startCoordinator();
    fleet.startAgent();
    fleet.awaitOutput("the demo healthy", Duration.ofSeconds(30), () -> fleet.remote("status"),
      out -> out.matches("(?s).*web-01/demo-http\\s+healthy.*") && out.contains("all well"));
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("status prints services and checks, exits 0 when all is well and 1 once something fails")
  void statusTableAndExitStatus() {
    TestFleet.Run well = fleet.remote("status");
    assertThat(well.exit()).isZero();
    long pid = fleet.recordedPid();
    assertThat(well.out()).containsPattern("SERVICE\\s+STATE\\s+PID\\s+UP FOR\\s+RESTARTS")
      .containsPattern("web-01/demo\\s+running\\s+" + pid + "\\s+\\d+s\\s+0")
      .containsPattern("web-01/demo-http\\s+healthy\\s+up \\d+ ms")
      .containsPattern("web-01/demo-port\\s+healthy")
      .contains("all well");
    JsonObject json = new JsonObject(fleet.remote("status", "web-01", "--json").out());
    assertThat(json.getBoolean("ok")).isTrue();
    assertThat(json.getJsonArray("services").getJsonObject(0).getLong("pid")).isEqualTo(pid);

    TestFleet.Run stopped = fleet.remote("stop", "web-01/demo", "--reason", "maintenance");
    assertThat(stopped.exit()).as(stopped.err()).isZero();
    assertThat(stopped.out()).startsWith("stop of web-01/demo sent (command ");
    // the process's end and the stop's answer are two reports: "down" (no process) may show between them
    TestFleet.await("status to fail, the demo stopped", Duration.ofSeconds(20), () -> {
      TestFleet.Run status = fleet.remote("status");
      return status.exit() == 1 && status.out().matches("(?s).*web-01/demo\\s+stopped.*");
    });
    TestFleet.Run failing = fleet.remote("status");
    assertThat(failing.out()).containsPattern("web-01/demo\\s+stopped")
      .containsPattern("web-01/demo-port\\s+(failing|unhealthy)").contains("something is failing");
    assertThat(fleet.remote("status", "no-such-host").exit()).isEqualTo(3);
  }

  @Test
  @DisplayName("dump prints the service's evidence and leaves it running; restart by the command line is done, with "
    + "the token's name and the reason in /api/actions")
  void restartIsRecordedWithTheCallersName() {
    long before = fleet.recordedPid();
    TestFleet.Run dump = fleet.remote("dump", "web-01/demo", "--reason", "just looking");
    assertThat(dump.exit()).as(dump.err()).isZero();
    assertThat(dump.out()).startsWith("dump of web-01/demo: done: evidence taken from pid " + before)
      .containsPattern("pid " + before + " \\S .*\\d+ threads, \\d+ fds; thread dump \\d+ KB")
      .contains("--- thread dump ---").contains("Full thread dump").contains("--- last output (");
    assertThat(fleet.recordedPid()).as("a dump kills nothing").isEqualTo(before);
    TestFleet.Run run = fleet.remote("restart", "web-01/demo", "--reason", "new config");
    assertThat(run.exit()).as(run.err()).isZero();
    TestFleet.await("a new pid", Duration.ofSeconds(30), () -> {
      long now = fleet.recordedPid();
      return now > 0 && now != before;
    });
    fleet.awaitOutput("the restart answered", Duration.ofSeconds(15), () -> fleet.remote("events"),
      out -> out.contains("restart by " + TestFleet.TOKEN_NAME + " (") && out.contains("new config): done"));
    assertThat(fleet.remote("restart", "web-01").exit()).as("no service named").isEqualTo(2);
  }

  @Test
  @DisplayName("a person logs in, and their restart is recorded with their name; a wrong password is refused")
  void loginThenRestart() throws Exception {
    var sessionFile = fleet.root.resolve("session.json");
    TestFleet.Run wrong = loginAs("olga", "nope", sessionFile.toString());
    assertThat(wrong.exit()).isEqualTo(3);
    assertThat(wrong.err()).contains("401");
    TestFleet.Run login = loginAs("olga", "olga-password", sessionFile.toString());
    assertThat(login.exit()).as(login.err()).isZero();
    assertThat(login.out()).contains("as olga (operator)");
    assertThat(Files.getPosixFilePermissions(sessionFile))
      .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    TestFleet.Run restart = fleet.kelpie("restart", "web-01/demo", "--reason", "by hand", "--url", fleet.url(),
      "--session-file", sessionFile.toString());
    assertThat(restart.exit()).as(restart.err()).isZero();
    fleet.awaitOutput("the restart in history", Duration.ofSeconds(15), () -> fleet.remote("events"),
      out -> out.contains("restart by olga (") && out.contains("by hand): done"));
    TestFleet.Run logout = fleet.kelpie("logout", "--url", fleet.url(), "--session-file", sessionFile.toString());
    assertThat(logout.exit()).isZero();
    assertThat(sessionFile).doesNotExist();
  }

  @Test
  @DisplayName("events --follow prints a restart and the state changes it brings, as they happen")
  void eventsFollow() throws Exception {
    StringWriter buffer = new StringWriter();
    picocli.CommandLine line = KelpieCli.commandLine();
    PrintWriter out = new PrintWriter(buffer, true);
    line.setOut(out);
    Thread follower = new Thread(() -> line.execute("events", "--follow", "--interval", "200", "--url", fleet.url(),
      "--token", TestFleet.TOKEN));
    follower.start();
    try {
      TestFleet.await("following", Duration.ofSeconds(10), () -> buffer.toString().contains("-- following"));
      fleet.remote("stop", "web-01/demo", "--reason", "by the test");
      fleet.awaitOutput("the stop and the port check's change", Duration.ofSeconds(20),
        () -> new TestFleet.Run(0, buffer.toString(), ""),
        text -> text.contains("stop by cli-script (") && text.contains("by the test): done")
          && text.matches("(?s).*web-01/demo-port\\s+healthy -> \\w+.*"));
    } finally {
      follower.interrupt();
      follower.join(5000);
    }
  }

  private TestFleet.Run loginAs(String user, String password, String sessionFile) {
    InputStream stdin = System.in;
    System.setIn(new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)));
    try {
      return fleet.kelpie("login", "--user", user, "--password-stdin", "--url", fleet.url(),
        "--session-file", sessionFile);
    } finally {
      System.setIn(stdin);
    }
  }
}
