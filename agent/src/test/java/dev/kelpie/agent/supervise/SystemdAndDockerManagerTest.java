package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.demo.DemoService;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * systemd and Docker as managers, for real where they run. Where they do not (this project's CI: no systemd as PID 1,
 * no Docker engine), the tests that need them are skipped with the reason, and the ones that remain check that a
 * missing manager is a clear error rather than a crash.
 */
@ExtendWith(VertxExtension.class)
class SystemdAndDockerManagerTest {

  private static final boolean SYSTEMD_BOOTED = Files.isDirectory(Path.of("/run/systemd/system"));
  private static final String NAME = "kelpie-test-" + UUID.randomUUID().toString().substring(0, 8);

  private SupervisorHarness harness;
  private final List<List<String>> cleanup = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx, @TempDir Path stateDir) {
    harness = new SupervisorHarness(vertx, stateDir);
  }

  @AfterEach
  void tearDown() {
    cleanup.forEach(SystemdAndDockerManagerTest::run);
  }

  private static List<AgentConfig.ServiceSpec> services(String manager) {
    return AgentConfig.fromYaml("""
      agent: {id: agent-test}
      coordinator: {url: "ws://127.0.0.1:1/bus", token: t}
      services: [{name: svc, manager: %s}]
      """.formatted(manager), "agent.yaml", Map.of()).services();
  }

  @Test
  @DisplayName("on a host not booted with systemd, a systemd service is a clear error at start and on a command")
  void systemdMissing() throws Exception {
    assumeTrue(onPath("systemctl"), "systemctl is not installed");
    assumeFalse(SYSTEMD_BOOTED, "this host runs systemd: see the real systemd test instead");
    harness.deploy(services("{type: systemd, unit: " + NAME + ".service, timeout: 10s}"));

    ProcessEvent failed = harness.awaitEvent("svc", ProcessEventType.START_FAILED);
    CommandResult restart = harness.command("svc", Action.RESTART);

    assertThat(failed.detail()).startsWith("systemd unit " + NAME + ".service is unreachable: System has not been "
      + "booted with systemd");
    assertThat(harness.listing().get(0).manager().problem()).startsWith("systemd unit " + NAME
      + ".service is unreachable");
    assertThat(restart.status()).isEqualTo(CommandStatus.FAILED);
    assertThat(restart.detail()).contains("systemd unit " + NAME + ".service is unreachable");
  }

  @Test
  @DisplayName("without a Docker engine, a docker service is a clear error at start and on a command")
  void dockerMissing() throws Exception {
    assumeFalse(dockerRuns(), "a Docker engine runs here: see the real Docker test instead");
    harness.deploy(services("{type: docker, container: " + NAME + ", timeout: 10s}"));

    ProcessEvent failed = harness.awaitEvent("svc", ProcessEventType.START_FAILED);
    CommandResult start = harness.command("svc", Action.START);

    assertThat(failed.detail()).startsWith(onPath("docker")
      ? "docker container " + NAME + " is unreachable: Cannot connect to the Docker daemon"
      : "cannot run docker");
    assertThat(start.status()).isEqualTo(CommandStatus.FAILED);
  }

  @Test
  @DisplayName("a real systemd unit running the demo: adopted by its main pid, restarted and stopped through systemctl")
  void realSystemd() throws Exception {
    assumeTrue(SYSTEMD_BOOTED, "no running systemd here (/run/systemd/system is missing: PID 1 is not systemd); "
      + "the real systemd test runs on a host booted with systemd, as root");
    assumeTrue(run(List.of("systemd-run", "--unit", NAME, "--property", "Restart=no", java(), "-cp", demoClasspath(),
      DemoService.class.getName(), "--port", Integer.toString(RealSupervisord.freePort()), "--host", "127.0.0.1")),
      "systemd-run could not start a transient unit (root needed)");
    cleanup.add(List.of("systemctl", "stop", NAME + ".service"));
    long before = mainPid();
    harness.deploy(services("{type: systemd, unit: " + NAME + ".service}"));
    assertThat(harness.awaitEvent("svc", ProcessEventType.ADOPTED).pid()).isEqualTo(before);

    CommandResult restart = harness.command("svc", Action.RESTART);

    assertThat(restart.status()).as(restart.detail()).isEqualTo(CommandStatus.DONE);
    assertThat(restart.pid()).isEqualTo(mainPid()).isNotEqualTo(before);
    assertThat(harness.listing().get(0).manager().state()).isEqualTo("active (running)");
    Instant killed = Instant.now();
    SupervisorHarness.signal("KILL", restart.pid());
    ProcessEvent exited = harness.awaitEvent("svc", ProcessEventType.EXITED);
    assertThat(exited.pid()).isEqualTo(restart.pid());
    assertThat(Duration.between(killed, exited.time())).as("kill -9 to EXITED").isLessThan(Duration.ofSeconds(1));
    assertThat(exited.manager().state()).as("systemd's own view").doesNotStartWith("active");
  }

  @Test
  @DisplayName("a real Docker container: adopted by its main pid, restarted through docker, its end seen")
  void realDocker() throws Exception {
    assumeTrue(dockerRuns(), "no Docker engine here (docker info fails); the real Docker test runs where one does");
    String image = System.getenv().getOrDefault("KELPIE_TEST_DOCKER_IMAGE", "busybox:latest");
    assumeTrue(run(List.of("docker", "image", "inspect", image)), "image " + image + " is not present "
      + "(pull it, or set KELPIE_TEST_DOCKER_IMAGE to one that has sleep)");
    assumeTrue(run(List.of("docker", "run", "-d", "--name", NAME, image, "sleep", "600")), "docker run failed");
    cleanup.add(List.of("docker", "rm", "-f", NAME));
    harness.deploy(services("{type: docker, container: " + NAME + "}"));
    long before = harness.awaitEvent("svc", ProcessEventType.ADOPTED).pid();

    CommandResult restart = harness.command("svc", Action.RESTART);

    assertThat(restart.status()).as(restart.detail()).isEqualTo(CommandStatus.DONE);
    assertThat(restart.pid()).isNotEqualTo(before);
    assertThat(harness.listing().get(0).manager().says()).isEqualTo("docker: running (pid " + restart.pid() + ")");
    Instant killed = Instant.now();
    SupervisorHarness.signal("KILL", restart.pid());
    ProcessEvent exited = harness.awaitEvent("svc", ProcessEventType.EXITED);
    assertThat(exited.pid()).isEqualTo(restart.pid());
    assertThat(Duration.between(killed, exited.time())).as("kill -9 to EXITED").isLessThan(Duration.ofSeconds(1));
    assertThat(exited.manager().state()).as("Docker's own view").isEqualTo("exited");
  }

  private static long mainPid() {
    return Long.parseLong(output(List.of("systemctl", "show", "--property=MainPID", "--value", NAME + ".service"))
      .strip());
  }

  private static boolean dockerRuns() {
    return onPath("docker") && run(List.of("docker", "info"));
  }

  private static boolean onPath(String program) {
    return Files.isExecutable(Path.of("/usr/bin", program)) || Files.isExecutable(Path.of("/usr/local/bin", program))
      || Files.isExecutable(Path.of("/bin", program));
  }

  private static boolean run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static String output(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String demoClasspath() throws Exception {
    return Path.of(DemoService.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }
}
