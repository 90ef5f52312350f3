package dev.kelpie.agent.supervise;

import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.kelpie.agent.supervise.SupervisorHarness.alive;
import static dev.kelpie.agent.supervise.SupervisorHarness.service;
import static dev.kelpie.agent.supervise.SupervisorHarness.withPort;
import static dev.kelpie.agent.supervise.SupervisorHarness.withStop;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class SupervisorKillTest {

  private SupervisorHarness harness;

  @BeforeEach
  void setUp(Vertx vertx, @TempDir Path stateDir) {
    harness = new SupervisorHarness(vertx, stateDir);
  }

  @AfterEach
  void tearDown() {
    harness.killEverything();
  }

  @Test
  @DisplayName("RESTART kills the parent and the child it forked, then spawns a new process, each step an event")
  void restartKillsTheWholeTree() throws Exception {
    harness.deploy(service("forker", "bash", "-c", "sleep 300 & wait"));
    long parent = harness.awaitEvent("forker", ProcessEventType.STARTED).pid();
    SupervisorHarness.await(() -> ProcessTable.tree(parent).size() == 2, "the forked child");
    long child = ProcessTable.tree(parent).get(1);
    harness.track(parent);

    CommandResult result = harness.command("forker", Action.RESTART);

    assertThat(result.status()).isEqualTo(CommandStatus.DONE);
    assertThat(result.pid()).isNotNull().isNotEqualTo(parent);
    assertThat(alive(parent)).isFalse();
    assertThat(alive(child)).isFalse();
    List<ProcessEvent> steps = harness.events.stream().filter(e -> result.commandId().equals(e.commandId())).toList();
    assertThat(steps).extracting(ProcessEvent::type).containsExactly(ProcessEventType.SIGNALLED,
      ProcessEventType.KILLED, ProcessEventType.STARTED);
    assertThat(steps.get(0).detail()).contains(Long.toString(parent), Long.toString(child));
    assertThat(steps.get(2).pid()).isEqualTo(result.pid());
    assertThat(harness.types("forker")).doesNotContain(ProcessEventType.EXITED);
  }

  @Test
  @DisplayName("A service that ignores TERM is SIGKILLed once the grace is over, and the KILLED event says so")
  void termIgnoringServiceNeedsKill() throws Exception {
    Duration grace = Duration.ofMillis(800);
    harness.deploy(withStop(service("stubborn", "bash", "-c",
      "trap '' TERM; echo ready; while true; do sleep 0.1; done"), "TERM", grace));
    long pid = harness.awaitEvent("stubborn", ProcessEventType.STARTED).pid();
    Path log = harness.stateDir.resolve("logs/stubborn.log");
    SupervisorHarness.await(() -> Files.exists(log) && read(log).contains("ready"), "the TERM trap");

    long began = System.nanoTime();
    CommandResult result = harness.command("stubborn", Action.KILL);
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(result.status()).isEqualTo(CommandStatus.DONE);
    assertThat(took).isGreaterThanOrEqualTo(grace);
    assertThat(alive(pid)).isFalse();
    ProcessEvent killed = harness.awaitEvent("stubborn", ProcessEventType.KILLED);
    assertThat(killed.signal()).isEqualTo("SIGKILL");
    assertThat(killed.detail()).contains("SIGKILL needed for", Long.toString(pid));
    assertThat(harness.listing().get(0).wanted()).isTrue();
    assertThat(harness.listing().get(0).pid()).isNull();
  }

  @Test
  @DisplayName("A SIGSTOPped service still ends on TERM, long before the grace, thanks to the SIGCONT that follows")
  void stoppedServiceEndsOnTerm() throws Exception {
    harness.deploy(withStop(service("frozen", "sleep", "300"), "TERM", Duration.ofSeconds(10)));
    long pid = harness.awaitEvent("frozen", ProcessEventType.STARTED).pid();
    SupervisorHarness.signal("STOP", pid);
    SupervisorHarness.await(() -> ProcessTable.stat(pid).map(s -> s.state() == 'T').orElse(false), "stopped state");

    CommandResult result = harness.command("frozen", Action.KILL);

    assertThat(result.status()).isEqualTo(CommandStatus.DONE);
    assertThat(result.duration()).isLessThan(Duration.ofSeconds(5));
    ProcessEvent killed = harness.awaitEvent("frozen", ProcessEventType.KILLED);
    assertThat(killed.signal()).isEqualTo("SIGTERM");
    assertThat(killed.detail()).doesNotContain("SIGKILL");
    assertThat(alive(pid)).isFalse();
  }

  @Test
  @DisplayName("After a listener is killed, PORT_RELEASED comes once nothing listens on its port")
  void portReleasedAfterTheListenerIsGone() throws Exception {
    int port = freePort();
    AtomicBoolean listenedAtRelease = new AtomicBoolean();
    harness.vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_REPORT, msg -> {
      boolean released = ProcessEvent.fromJson(msg.body()).type() == ProcessEventType.PORT_RELEASED;
      if (released && ProcessTable.listening(port)) {
        listenedAtRelease.set(true);
      }
    });
    harness.deploy(withPort(service("listener", javaLauncher(), listenSource(), Integer.toString(port)), port,
      Duration.ofSeconds(5)));
    long pid = harness.awaitEvent("listener", ProcessEventType.STARTED).pid();
    SupervisorHarness.await(() -> ProcessTable.listener(port).isPresent(), "the listener on port " + port);
    assertThat(ProcessTable.listener(port)).contains(pid);

    CommandResult result = harness.command("listener", Action.KILL);

    assertThat(result.status()).isEqualTo(CommandStatus.DONE);
    assertThat(result.detail()).contains("port " + port + " free");
    assertThat(harness.types("listener")).containsExactly(ProcessEventType.STARTED, ProcessEventType.SIGNALLED,
      ProcessEventType.KILLED, ProcessEventType.PORT_RELEASED);
    assertThat(listenedAtRelease).isFalse();
    assertThat(ProcessTable.listening(port)).isFalse();
  }

  @Test
  @DisplayName("RESTART does not respawn while a stranger holds the port: FAILED once the port release times out")
  void restartWaitsForThePortAndGivesUp() throws Exception {
    try (ServerSocket stranger = new ServerSocket(0)) {
      int port = stranger.getLocalPort();
      harness.deploy(withPort(service("sleeper", "sleep", "300"), port, Duration.ofMillis(300)));
      long pid = harness.awaitEvent("sleeper", ProcessEventType.STARTED).pid();

      CommandResult result = harness.command("sleeper", Action.RESTART);

      assertThat(result.status()).isEqualTo(CommandStatus.FAILED);
      assertThat(result.detail()).contains("port " + port + " still in use");
      assertThat(result.pid()).isNull();
      assertThat(alive(pid)).isFalse();
      assertThat(harness.types("sleeper")).containsExactly(ProcessEventType.STARTED, ProcessEventType.SIGNALLED,
        ProcessEventType.KILLED);
    }
  }

  @Test
  @DisplayName("A second command for a busy service waits for the first to finish")
  void commandsForOneServiceAreQueued() throws Exception {
    harness.deploy(withStop(service("stubborn", "bash", "-c",
      "trap '' TERM; echo ready; while true; do sleep 0.1; done"), "TERM", Duration.ofMillis(500)));
    harness.awaitEvent("stubborn", ProcessEventType.STARTED);
    Path log = harness.stateDir.resolve("logs/stubborn.log");
    SupervisorHarness.await(() -> Files.exists(log) && read(log).contains("ready"), "the TERM trap");

    Future<CommandResult> restart = harness.send("stubborn", Action.RESTART);
    Future<CommandResult> start = harness.send("stubborn", Action.START);
    CommandResult restarted = SupervisorHarness.get(restart);
    CommandResult started = SupervisorHarness.get(start);

    assertThat(restarted.status()).isEqualTo(CommandStatus.DONE);
    assertThat(started.detail()).isEqualTo("already running as pid " + restarted.pid());
    assertThat(started.time()).isAfterOrEqualTo(restarted.time());
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String javaLauncher() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static String listenSource() throws Exception {
    return Path.of(SupervisorKillTest.class.getResource("/supervise/Listen.java").toURI()).toString();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
