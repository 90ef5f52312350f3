package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A service alive but stuck stops kicking, and its heartbeat check goes down. */
class HeartbeatProbeTest {

  private static final String TOKEN = "kick-token-0123456789";

  @TempDir
  Path dir;
  private final List<Process> processes = new ArrayList<>();
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
    processes.forEach(process -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    });
  }

  @Test
  @DisplayName("a service kicking over HTTP is up; stalled (alive, no kicks) it is down once the deadline passes; "
    + "a kick without the token is refused")
  void httpKicks() throws Exception {
    int port = freePort();
    harness = new ProbeHarness("checks:\n  - {id: beat, type: heartbeat, kickPort: " + port + ", token: " + TOKEN
      + ", deadline: 1s, interval: 200ms}\n");
    Path stall = dir.resolve("stall");
    Process kicker = start(javaLauncher(), resource("/probe/Kicker.java"), Integer.toString(port), TOKEN,
      stall.toString());

    harness.awaitResults("beat", list -> last(list).detail().startsWith("last kick"));
    Files.createFile(stall);
    ProbeResult down = last(harness.awaitResults("beat", list -> !last(list).up()));
    assertThat(down.detail()).startsWith("no kick for ").contains("(deadline 1s), last at ");
    assertThat(kicker.isAlive()).isTrue();

    HttpClient client = HttpClient.newHttpClient();
    HttpRequest.Builder kick = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kick"))
      .POST(HttpRequest.BodyPublishers.noBody());
    assertThat(client.send(kick.header("Authorization", "Bearer wrong-token-0123456789").build(),
      HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
    assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/kick")).GET().build(),
      HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
    ProbeHarness.pause(java.time.Duration.ofMillis(400));
    assertThat(last(harness.of("beat")).up()).isFalse();

    Files.delete(stall);
    harness.awaitResults("beat", list -> last(list).up());
  }

  @Test
  @DisplayName("a file heartbeat is up while something touches the file, and down when that stops")
  void fileKicks() throws Exception {
    Path file = dir.resolve("beat");
    harness = new ProbeHarness("checks:\n  - {id: beat, type: heartbeat, file: \"" + file
      + "\", deadline: 1s, interval: 200ms}\n");
    Process toucher = start("/bin/sh", "-c", "while :; do touch '" + file + "'; sleep 0.1; done");

    harness.awaitResults("beat", list -> last(list).detail().startsWith("last kick"));
    toucher.destroyForcibly().waitFor();
    ProbeResult down = last(harness.awaitResults("beat", list -> !last(list).up()));
    assertThat(down.detail()).startsWith("no kick for ");
  }

  private Process start(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(dir.resolve("out.log").toFile()).start();
    processes.add(process);
    return process;
  }

  private static ProbeResult last(List<ProbeResult> results) {
    return results.get(results.size() - 1);
  }

  private static String javaLauncher() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String resource(String name) throws Exception {
    return Path.of(HeartbeatProbeTest.class.getResource(name).toURI()).toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
