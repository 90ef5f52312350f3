package dev.kelpie.packaging;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** target/kelpie.deb, looked into with dpkg-deb and unpacked into a scratch root with dpkg -x. */
@DisplayName("The .deb")
class DebPackageTest {

  private static final Path DEB = Path.of(System.getProperty("kelpie.deb", "target/kelpie.deb")).toAbsolutePath();
  private static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    Tools.require("dpkg-deb", "dpkg");
    assertThat(DEB).as("built by mvn package (jdeb)").isRegularFile();
    root = Files.createTempDirectory("kelpie-deb-root");
    Tools.Run unpacked = Tools.run(List.of("dpkg", "-x", DEB.toString(), root.toString()));
    assertThat(unpacked.exit()).as(unpacked.output()).isZero();
  }

  @Test
  @DisplayName("holds the programs, the command line, the units, /etc/kelpie and /var/lib/kelpie")
  void contents() throws Exception {
    Tools.Run listing = Tools.run(List.of("dpkg-deb", "-c", DEB.toString()));
    assertThat(listing.exit()).isZero();
    assertThat(listing.output()).contains("./usr/share/kelpie/kelpie-agent.jar")
      .contains("./usr/share/kelpie/kelpie-coordinator.jar").contains("./usr/share/kelpie/kelpie.jar")
      .containsPattern("-rwxr-xr-x root/root .* \\./usr/bin/kelpie")
      .containsPattern("-rwxr-xr-x root/root .* \\./usr/bin/kelpie-agent")
      .containsPattern("-rwxr-xr-x root/root .* \\./usr/bin/kelpie-coordinator")
      .contains("./lib/systemd/system/kelpie-agent.service").contains("./lib/systemd/system/kelpie-coordinator.service")
      .containsPattern("-rw-r----- root/root .* \\./etc/kelpie/agent.yaml")
      .contains("./etc/kelpie/coordinator.yaml").contains("./var/lib/kelpie/")
      .contains("./usr/share/doc/kelpie/agent.yaml.example");
    assertThat(Files.getPosixFilePermissions(root.resolve("usr/bin/kelpie")))
      .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  @DisplayName("marks /etc/kelpie's files as configuration, kept across upgrades, and says what it depends on")
  void control() throws Exception {
    Tools.Run conffiles = Tools.run(List.of("dpkg-deb", "-I", DEB.toString(), "conffiles"));
    assertThat(conffiles.output().lines().toList())
      .containsExactlyInAnyOrder("/etc/kelpie/agent.yaml", "/etc/kelpie/coordinator.yaml");
    Tools.Run info = Tools.run(List.of("dpkg-deb", "-f", DEB.toString(), "Package", "Architecture", "Depends"));
    assertThat(info.output()).contains("Package: kelpie").contains("Architecture: all")
      .contains("openjdk-17-jre-headless");
  }

  @Test
  @DisplayName("its configs are valid once the host's id, token and coordinator are given")
  void packagedConfigsLoad() {
    AgentConfig agent = AgentConfig.load(root.resolve("etc/kelpie/agent.yaml"),
      Map.of("KELPIE_AGENT_ID", "web-01", "KELPIE_AGENT_TOKEN", "secret"));
    assertThat(agent.agentId()).isEqualTo("web-01");
    assertThat(agent.stateDir()).isEqualTo(Path.of("/var/lib/kelpie"));
    CoordinatorConfig coordinator = CoordinatorConfig.load(root.resolve("etc/kelpie/coordinator.yaml"), Map.of());
    assertThat(coordinator.http().port()).isEqualTo(8420);
    assertThat(coordinator.store().journal()).as("the decision journal, kept across restarts")
      .isEqualTo(Path.of("/var/lib/kelpie-coordinator/journal"));
  }

  @Test
  @DisplayName("its kelpie command runs from where it is installed")
  void commandLineRuns() throws Exception {
    Tools.Run version = Tools.run(List.of(root.resolve("usr/bin/kelpie").toString(), "--version"));
    assertThat(version.exit()).as(version.output()).isZero();
    assertThat(version.output()).contains("kelpie 0.1.0");
    Tools.Run help = Tools.run(List.of(root.resolve("usr/bin/kelpie").toString(), "who-holds", "--help"));
    assertThat(help.output()).contains("Usage: kelpie who-holds");
  }

  @Test
  @DisplayName("its kelpie-coordinator launcher runs the installed coordinator with a bounded G1 heap, options added last")
  void coordinatorLauncherBoundsTheHeap() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(root.resolve("usr/bin/kelpie-coordinator").toString(), "--version")
      .redirectErrorStream(true);
    builder.environment().put("KELPIE_COORDINATOR_JAR", root.resolve("usr/share/kelpie/kelpie-coordinator.jar").toString());
    builder.environment().put("KELPIE_COORDINATOR_JAVA_OPTS", "-XX:+PrintCommandLineFlags -Xmx768m");
    Process coordinator = builder.start();
    String output = new String(coordinator.getInputStream().readAllBytes());
    assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).as("done within 60 s").isTrue();
    assertThat(coordinator.exitValue()).as(output).isZero();
    assertThat(output).contains("-XX:+UseG1GC").contains("-XX:+ExitOnOutOfMemoryError")
      .as("the added -Xmx768m wins over the launcher's 1g").contains("-XX:MaxHeapSize=805306368")
      .contains("0.1.0");
  }

  @Test
  @DisplayName("its kelpie-agent launcher starts the agent small, logging as asked, with a class-data archive the next start maps")
  void agentLauncherKeepsAnArchive() throws Exception {
    Path dir = Files.createTempDirectory("kelpie-agent-launcher");
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "agent: {id: launcher-test, stateDir: \"" + dir.resolve("state") + "\"}\n"
      + "coordinator: {url: \"ws://127.0.0.1:1/bus\", token: t, reconnect: {initial: 5s, max: 5s}}\n");
    Path archive = dir.resolve("agent.jsa");

    Process first = startAgent(config, archive, dir.resolve("first.log"), "text");
    try {
      // the packaged jar carries Netty's epoll library, and the agent's sockets take it
      awaitLog(first, dir.resolve("first.log"),
        "INFO  AgentMain agent=\"launcher-test\" transport=\"epoll\" agent started");
      assertThat(commandLine(first)).contains("-XX:+UseSerialGC").contains("-Xmx64m");
      first.destroy();
      assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
    } finally {
      first.destroyForcibly();   // a failed assertion above leaves no agent behind (it is gone already otherwise)
    }
    assertThat(archive).as("written at the first clean stop (Java 17) or kept by the JVM (19+)").isRegularFile();

    Process second = startAgent(config, archive, dir.resolve("second.log"), "json");
    try {
      awaitLog(second, dir.resolve("second.log"), "\"formattedMessage\":\"agent started\"");
      assertThat(Files.readString(Path.of("/proc/" + second.pid() + "/maps"))).as("the archive is mapped")
        .contains(archive.toString());
    } finally {
      second.destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
  }

  private static Process startAgent(Path config, Path archive, Path log, String logFormat) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(root.resolve("usr/bin/kelpie-agent").toString(), "--config",
      config.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KELPIE_AGENT_CDS", archive.toString());
    builder.environment().put("KELPIE_LOG_FORMAT", logFormat);
    return builder.start();
  }

  private static void awaitLog(Process agent, Path log, String line) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.readString(log).contains(line)) {
      assertThat(agent.isAlive()).as("the agent runs: " + Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("'" + line + "' within 60 s: " + Files.readString(log)).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private static String commandLine(Process process) throws Exception {
    return Files.readString(Path.of("/proc/" + process.pid() + "/cmdline")).replace('\0', ' ');
  }
}
