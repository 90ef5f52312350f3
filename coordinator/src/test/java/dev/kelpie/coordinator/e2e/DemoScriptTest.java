package dev.kelpie.coordinator.e2e;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./kelpie-demo.sh} refuses, before it builds anything, what would spoil a running demo. */
@DisplayName("kelpie-demo.sh")
class DemoScriptTest {

  private static final Path SCRIPT = DemoPrograms.PROJECT.resolve("kelpie-demo.sh");

  @Test
  @DisplayName("refuses to start when a port it needs is taken, naming the port, without building")
  void refusesATakenPortNamingIt() throws Exception {
    Path root = Files.createTempDirectory("kelpie-demo-root");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Result result = run(Map.of("KELPIE_DEMO_DIR", root.toString(), "KELPIE_HTTP_PORT", Integer.toString(port),
        "KELPIE_DEMO_PORT", Integer.toString(Fleet.freePort()),
        "KELPIE_AGENT_METRICS_PORT", Integer.toString(Fleet.freePort())));
      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.output())
        .contains("port " + port + " (the coordinator) on 127.0.0.1 is already in use");
      assertThat(root).isDirectoryNotContaining("glob:**/run-*");
    }
  }

  @Test
  @DisplayName("refuses a second run while one is going, saying which, without building")
  void refusesASecondRun() throws Exception {
    Path root = Files.createTempDirectory("kelpie-demo-root");
    Files.writeString(root.resolve("demo.running"), "pid 4242, since 10:00:00Z, in " + root + "/run-x");
    Process first = new ProcessBuilder("flock", root.resolve("demo.lock").toString(), "sleep", "60").start();
    try {
      Fleet.pause(Duration.ofMillis(300));
      Result result = run(Map.of("KELPIE_DEMO_DIR", root.toString()));
      assertThat(result.exit()).isEqualTo(1);
      assertThat(result.output()).contains("another demo is running (pid 4242, since 10:00:00Z");
      assertThat(root).isDirectoryNotContaining("glob:**/run-*");
    } finally {
      first.destroyForcibly();
    }
  }

  private record Result(int exit, String output) {
  }

  private static Result run(Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    int exit;
    try {
      exit = DemoPrograms.exitWithin(process, Duration.ofSeconds(10));
    } catch (AssertionError stillRunning) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw stillRunning;
    }
    return new Result(exit, new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
