package dev.kelpie.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("kelpie, on the host, without the coordinator")
class LocalCommandsTest {

  private TestFleet fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = new TestFleet();
    fleet.startCoordinator();
    fleet.startAgent();
    TestFleet.await("the demo listening", Duration.ofSeconds(30), () -> listening(fleet.demoPort));
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("who-holds names the pid, command line and supervised service of a port, and a stranger as one")
  void whoHolds() throws Exception {
    long pid = fleet.recordedPid();
    TestFleet.Run held = fleet.local("who-holds", Integer.toString(fleet.demoPort));
    assertThat(held.exit()).as(held.err()).isZero();
    assertThat(held.out()).contains("port " + fleet.demoPort + " is held by pid " + pid + ": java ")
      .contains("--port " + fleet.demoPort).contains("supervised by Kelpie: service demo (its process " + pid);

    int strangerPort = TestFleet.freePort();
    Process stranger = fleet.stranger(strangerPort);
    TestFleet.await("the stranger listening", Duration.ofSeconds(20), () -> listening(strangerPort));
    TestFleet.Run other = fleet.local("who-holds", Integer.toString(strangerPort));
    assertThat(other.out()).contains("is held by pid " + stranger.pid()).contains("not supervised by Kelpie");

    TestFleet.Run nobody = fleet.local("who-holds", Integer.toString(TestFleet.freePort()));
    assertThat(nobody.exit()).isEqualTo(1);
    assertThat(nobody.out()).startsWith("nothing listens on port ");
  }

  @Test
  @DisplayName("agent status tells what the agent supervises and that it is connected")
  void agentStatus() {
    String out = fleet.awaitOutput("connected", Duration.ofSeconds(10), () -> fleet.local("agent", "status"),
      text -> text.contains("connected to the coordinator"));
    assertThat(out).containsPattern("demo\\s+running\\s+" + fleet.recordedPid() + "\\s+\\d+s\\s+yes\\s+java ")
      .contains("agent running (metrics at http://127.0.0.1:" + fleet.metricsPort + "/metrics): connected");
  }

  @Test
  @DisplayName("force-clean kills the service's whole tree left behind by a stopped agent, frees its port, tells")
  void forceCleanTheService() {
    long pid = fleet.recordedPid();
    List<Long> tree = ProcessHandle.of(pid).orElseThrow().descendants().map(ProcessHandle::pid).toList();
    assertThat(tree).as("the demo's forked child").isNotEmpty();
    fleet.stopAgent();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the service outlives its agent").contains(true);

    TestFleet.Run clean = fleet.local("force-clean", "demo", "--grace", "2");
    assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
    assertThat(clean.out()).contains("pid " + pid + ": java").contains("the process of demo's pid record")
      .contains("port " + fleet.demoPort + " is free").contains("removed the pid record");
    tree.forEach(child -> assertThat(clean.out()).contains("pid " + child + ":"));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    tree.forEach(child -> assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse());
    assertThat(listening(fleet.demoPort)).isFalse();

    TestFleet.Run again = fleet.local("force-clean", "demo");
    assertThat(again.out()).startsWith("nothing left of demo");
  }

  @Test
  @DisplayName("force-clean frees the service's port from a stranger holding it, and says it was a stranger")
  void forceCleanAStrangerOnThePort() {
    fleet.stopAgent();
    fleet.local("force-clean", "demo", "--grace", "2");
    try {
      Process stranger = fleet.stranger(fleet.demoPort);
      TestFleet.await("the stranger listening", Duration.ofSeconds(20), () -> listening(fleet.demoPort));
      TestFleet.Run clean = fleet.local("force-clean", "demo", "--grace", "2");
      assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
      assertThat(clean.out()).contains("pid " + stranger.pid() + ": java")
        .contains("holding demo's port " + fleet.demoPort + " (a stranger")
        .contains("port " + fleet.demoPort + " is free");
      TestFleet.await("the stranger gone", Duration.ofSeconds(5), () -> !stranger.isAlive());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("every command has --help, and the completion script covers them")
  void helpAndCompletion() {
    for (String command : List.of("status", "restart", "stop", "start", "reset", "silence", "events", "login",
      "logout", "who-holds", "force-clean", "agent", "generate-completion")) {
      TestFleet.Run help = fleet.kelpie(command, "--help");
      assertThat(help.exit()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: kelpie " + command);
    }
    assertThat(fleet.kelpie("agent", "status", "--help").out()).contains("Usage: kelpie agent status");
    assertThat(fleet.kelpie("generate-completion").out()).contains("complete -F").contains("force-clean");
    assertThat(fleet.kelpie("--help").out()).contains("Exit status: 0");
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
