package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.Adopt;
import dev.kelpie.agent.config.AgentConfig.ServiceSpec;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kelpie.agent.supervise.SupervisorHarness.alive;
import static dev.kelpie.agent.supervise.SupervisorHarness.service;
import static dev.kelpie.agent.supervise.SupervisorHarness.withAdopt;
import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class SpawnAndAdoptTest {

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
  @DisplayName("A spawned service runs in a session of its own, logs to its file and outlives the supervisor")
  void spawnedServiceOutlivesTheSupervisor() throws Exception {
    String deployment = harness.deploy(service("sleeper", "bash", "-c", "echo hello; exec sleep 300"));

    ProcessEvent started = harness.awaitEvent("sleeper", ProcessEventType.STARTED);
    long pid = started.pid();
    assertThat(harness.listing()).containsExactly(
      new ServiceInfo("sleeper", true, pid, harness.listing().get(0).startedAt(), null));
    assertThat(ProcessTable.stat(pid).orElseThrow().session()).isEqualTo(pid);
    SupervisorHarness.await(() -> ProcessTable.commandLine(pid).equals("sleep 300"), "the exec of sleep");
    Path log = harness.stateDir.resolve("logs/sleeper.log");
    SupervisorHarness.await(() -> Files.exists(log) && read(log).contains("hello"), "the greeting in the log");
    assertThat(read(harness.stateDir.resolve("pids/sleeper.pid")).trim())
      .isEqualTo(pid + " " + ProcessTable.stat(pid).orElseThrow().startTime());

    harness.undeploy(deployment);

    assertThat(alive(pid)).isTrue();
    assertThat(harness.types("sleeper")).containsExactly(ProcessEventType.STARTED);
  }

  @Test
  @DisplayName("A new supervisor on the same state directory adopts the running process instead of spawning another")
  void restartedSupervisorAdopts() throws Exception {
    String first = harness.deploy(service("sleeper", "sleep", "300"));
    long pid = harness.awaitEvent("sleeper", ProcessEventType.STARTED).pid();
    harness.undeploy(first);
    harness.events.clear();

    harness.deploy(service("sleeper", "sleep", "300"));

    ProcessEvent adopted = harness.awaitEvent("sleeper", ProcessEventType.ADOPTED);
    assertThat(adopted.pid()).isEqualTo(pid);
    assertThat(adopted.detail()).contains("pid record");
    assertThat(harness.types("sleeper")).containsExactly(ProcessEventType.ADOPTED);
    assertThat(harness.listing().get(0).pid()).isEqualTo(pid);
  }

  @Test
  @DisplayName("An adopted process that dies is reported EXITED with an unknown status, and not respawned")
  void adoptedExitIsNoticed() throws Exception {
    String first = harness.deploy(service("sleeper", "sleep", "300"));
    long pid = harness.awaitEvent("sleeper", ProcessEventType.STARTED).pid();
    harness.undeploy(first);
    harness.deploy(service("sleeper", "sleep", "300"));
    harness.awaitEvent("sleeper", ProcessEventType.ADOPTED);

    SupervisorHarness.signal("KILL", pid);

    ProcessEvent exited = harness.awaitEvent("sleeper", ProcessEventType.EXITED);
    assertThat(exited.pid()).isEqualTo(pid);
    assertThat(exited.exitCode()).isNull();
    assertThat(harness.listing().get(0).pid()).isNull();
    assertThat(harness.stateDir.resolve("pids/sleeper.pid")).doesNotExist();
  }

  @Test
  @DisplayName("A pid record whose start time does not match the running pid is not adopted: the service is spawned")
  void reusedPidIsNotAdopted() throws Exception {
    Process stranger = harness.stranger("sleep", "300");
    long start = ProcessTable.stat(stranger.pid()).orElseThrow().startTime();
    new PidRecord(harness.stateDir, "sleeper").write(new ProcessId(stranger.pid(), start + 1));

    harness.deploy(service("sleeper", "sleep", "301"));

    ProcessEvent started = harness.awaitEvent("sleeper", ProcessEventType.STARTED);
    assertThat(started.pid()).isNotEqualTo(stranger.pid());
    assertThat(harness.types("sleeper")).doesNotContain(ProcessEventType.ADOPTED);
    assertThat(stranger.isAlive()).isTrue();
  }

  @Test
  @DisplayName("A process started by someone else is adopted by its command line, never the agent's own JVM")
  void adoptsByPattern() throws Exception {
    Process stranger = harness.stranger("sleep", "314159");

    harness.deploy(withAdopt(service("pi", "sleep", "300"), new Adopt(null, null, "^sleep 3141\\d+$")));

    ProcessEvent adopted = harness.awaitEvent("pi", ProcessEventType.ADOPTED);
    assertThat(adopted.pid()).isEqualTo(stranger.pid());
    assertThat(adopted.detail()).contains("sleep 314159");
  }

  @Test
  @DisplayName("A service that exits on its own is reported EXITED with its exit code at once, and stays down")
  void exitIsReportedWithItsCode() throws Exception {
    harness.deploy(service("quitter", "bash", "-c", "sleep 0.3; exit 7"));
    long pid = harness.awaitEvent("quitter", ProcessEventType.STARTED).pid();

    ProcessEvent exited = harness.awaitEvent("quitter", ProcessEventType.EXITED);

    assertThat(exited.pid()).isEqualTo(pid);
    assertThat(exited.exitCode()).isEqualTo(7);
    assertThat(exited.signal()).isNull();
    assertThat(harness.types("quitter")).containsExactly(ProcessEventType.STARTED, ProcessEventType.EXITED);
    assertThat(harness.listing().get(0)).extracting(ServiceInfo::pid, ServiceInfo::wanted).containsExactly(null, true);
  }

  @Test
  @DisplayName("A service killed by a signal from outside is reported EXITED with the signal's name")
  void deathBySignalIsNamed() throws Exception {
    harness.deploy(service("sleeper", "sleep", "300"));
    long pid = harness.awaitEvent("sleeper", ProcessEventType.STARTED).pid();

    SupervisorHarness.signal("KILL", pid);

    ProcessEvent exited = harness.awaitEvent("sleeper", ProcessEventType.EXITED);
    assertThat(exited.signal()).isEqualTo("SIGKILL");
    assertThat(exited.exitCode()).isNull();
  }

  @Test
  @DisplayName("STOP keeps a service down across supervisor restarts until a START")
  void stopIsRemembered() throws Exception {
    String first = harness.deploy(service("sleeper", "sleep", "300"));
    long pid = harness.awaitEvent("sleeper", ProcessEventType.STARTED).pid();

    CommandResult stopped = harness.command("sleeper", Action.STOP);

    assertThat(stopped.status()).isEqualTo(CommandStatus.DONE);
    assertThat(stopped.pid()).isNull();
    assertThat(alive(pid)).isFalse();
    assertThat(harness.states).anyMatch(info -> !info.wanted());
    assertThat(read(harness.stateDir.resolve("wanted/sleeper")).trim()).isEqualTo("false");
    harness.undeploy(first);
    harness.events.clear();

    harness.deploy(service("sleeper", "sleep", "300"));

    assertThat(harness.listing()).extracting(ServiceInfo::wanted, ServiceInfo::pid).containsExactly(
      org.assertj.core.groups.Tuple.tuple(false, null));
    assertThat(harness.events).isEmpty();
    CommandResult started = harness.command("sleeper", Action.START);
    assertThat(started.status()).isEqualTo(CommandStatus.DONE);
    assertThat(started.pid()).isNotNull();
    assertThat(harness.awaitEvent("sleeper", ProcessEventType.STARTED).commandId()).isEqualTo(started.commandId());
  }

  @Test
  @DisplayName("A command for a service the agent does not supervise is answered UNKNOWN_SERVICE")
  void unknownService() throws Exception {
    harness.deploy(service("sleeper", "sleep", "300"));

    CommandResult result = harness.command("nobody", Action.RESTART);

    assertThat(result.status()).isEqualTo(CommandStatus.UNKNOWN_SERVICE);
    assertThat(result.detail()).contains("nobody");
  }

  @Test
  @DisplayName("A service whose program does not exist is START_FAILED with the reason, and start() still succeeds")
  void missingProgram() throws Exception {
    harness.deploy(service("ghost", "no-such-program-kelpie"), service("sleeper", "sleep", "300"));

    ProcessEvent failed = harness.awaitEvent("ghost", ProcessEventType.START_FAILED);
    assertThat(failed.detail()).contains("no-such-program-kelpie");
    harness.awaitEvent("sleeper", ProcessEventType.STARTED);
    List<ServiceInfo> listing = harness.listing();
    assertThat(listing.get(0).pid()).isNull();
    assertThat(listing.get(1).pid()).isNotNull();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
