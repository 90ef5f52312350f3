package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Real coordinator processes (the main class on the test class path), each with its YAML, log and free ports. */
class ClusteredCoordinatorsTest {

  private static final Pattern LISTENING = Pattern.compile("listening on http://[^:\\s]+:(\\d+)");

  @TempDir
  Path dir;

  private final List<Process> started = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process process : started) {
      process.destroy();
    }
    for (Process process : started) {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @DisplayName("two coordinators with a cluster: section on 127.0.0.1 join over TCP and each logs both members")
  void twoJoin() throws Exception {
    int portA = freePort();
    int portB = freePort();
    String members = "[127.0.0.1:" + portA + ", 127.0.0.1:" + portB + "]";
    String cluster = "cluster: {enabled: true, name: kelpie-test-" + portA + ", host: 127.0.0.1, members: " + members;
    Path logA = start("a", cluster + ", port: " + portA + "}\n");
    awaitLog(logA, text -> text.contains("coordinator started"), Duration.ofSeconds(120));
    Path logB = start("b", cluster + ", port: " + portB + "}\n");

    String seenByB = awaitLog(logB, text -> text.contains("joined as node"), Duration.ofSeconds(120));
    awaitLog(logB, text -> text.contains("coordinator started"), Duration.ofSeconds(60));
    String seenByA = awaitLog(logA, text -> text.contains("joined; 2 member(s)"), Duration.ofSeconds(60));

    assertThat(seenByA).contains("member [127.0.0.1]:" + portB + " joined");
    assertThat(seenByB).containsPattern("cluster kelpie-test-\\d+: joined as node \\S+; 2 member\\(s\\)");
    assertThat(ready(logA)).isEqualTo(200);
    assertThat(ready(logB)).isEqualTo(200);

    started.get(1).destroy();
    assertThat(started.get(1).waitFor(30, TimeUnit.SECONDS)).as("b stops on SIGTERM").isTrue();
    assertThat(awaitLog(logA, text -> text.contains("left; 1 member(s)"), Duration.ofSeconds(60)))
      .contains("member [127.0.0.1]:" + portB + " left");
  }

  @Test
  @DisplayName("without a cluster: section a coordinator starts alone, quickly, and never mentions a cluster")
  void aloneByDefault() throws Exception {
    Instant begun = Instant.now();
    Path log = start("solo", "");

    String text = awaitLog(log, t -> t.contains("coordinator started"), Duration.ofSeconds(120));

    assertThat(Duration.between(begun, Instant.now())).as("time to start alone on a shared machine")
      .isLessThan(Duration.ofSeconds(60));
    assertThat(text).doesNotContainIgnoringCase("hazelcast").doesNotContain("cluster");
    assertThat(ready(log)).isEqualTo(200);
  }

  private Path start(String name, String extraYaml) throws IOException {
    Path config = dir.resolve(name + ".yaml");
    Files.writeString(config, "http: {host: 127.0.0.1, port: 0}\n" + extraYaml);
    Path log = dir.resolve(name + ".log");
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", classPath, "dev.kelpie.coordinator.CoordinatorMain",
      "--config", config.toString())
      .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("KELPIE_DB_URL");
    builder.environment().remove("KELPIE_HTTP_PORT");
    builder.environment().remove("KELPIE_HTTP_HOST");
    started.add(builder.start());
    return log;
  }

  private int ready(Path log) throws Exception {
    Matcher port = LISTENING.matcher(Files.readString(log));
    assertThat(port.find()).as("the log names the port: %s", log).isTrue();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/ready")).GET().build(),
      HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static String awaitLog(Path log, Predicate<String> seen, Duration bound) throws Exception {
    Instant deadline = Instant.now().plus(bound);
    String text = "";
    while (Instant.now().isBefore(deadline)) {
      text = Files.exists(log) ? Files.readString(log) : "";
      if (seen.test(text)) {
        return text;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError("not seen in " + log + " within " + bound + ":\n" + text);
  }

  private static int freePort() throws IOException {
    return FreePorts.next();
  }
}
