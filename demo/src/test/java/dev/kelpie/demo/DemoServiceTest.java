package dev.kelpie.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("The demo service, run as a real process")
@Timeout(60)
class DemoServiceTest {

  private final HttpClient http = HttpClient.newBuilder()
    .version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(1))
    .build();

  @Test
  @DisplayName("answers GET /health with 200, its pid and its uptime")
  void healthy() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0")) {
      HttpResponse<String> health = get(demo.uri("/health"));

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"status\":\"up\"", "\"pid\":" + demo.process.pid(), "\"uptimeMs\":");
    }
  }

  @Test
  @DisplayName("turns unhealthy and healthy again on request, and starts unhealthy with --unhealthy")
  void unhealthy() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0")) {
      assertThat(post(demo.uri("/unhealthy")).statusCode()).isEqualTo(200);
      HttpResponse<String> down = get(demo.uri("/health"));
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.body()).contains("\"status\":\"down\"");

      assertThat(post(demo.uri("/healthy")).statusCode()).isEqualTo(200);
      assertThat(get(demo.uri("/health")).statusCode()).isEqualTo(200);
    }
    try (DemoProcess demo = DemoProcess.start("--port", "0", "--unhealthy")) {
      assertThat(get(demo.uri("/health")).statusCode()).isEqualTo(503);
    }
  }

  @Test
  @DisplayName("after POST /hang keeps accepting connections but never answers again")
  void hangs() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0")) {
      assertThat(post(demo.uri("/hang")).statusCode()).isEqualTo(202);

      assertThatThrownBy(() -> getBriefly(demo.uri("/health"))).isInstanceOf(HttpTimeoutException.class);
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(demo.base.getHost(), demo.base.getPort()), 1000);
        assertThat(socket.isConnected()).isTrue();
      }
      assertThatThrownBy(() -> getBriefly(demo.uri("/"))).isInstanceOf(HttpTimeoutException.class);
      assertThat(demo.process.isAlive()).isTrue();
    }
  }

  @Test
  @DisplayName("after POST /crash answers 202, then exits with code 3")
  void crashes() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0")) {
      HttpResponse<String> crash = post(demo.uri("/crash"));

      assertThat(crash.statusCode()).isEqualTo(202);
      assertThat(demo.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(demo.process.exitValue()).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("with --kick-url its worker kicks with the token; /stall stops the kicks while HTTP answers, "
    + "/unstall resumes them")
  void kicksUntilStalled() throws Exception {
    java.util.List<String> kicks = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer agent = com.sun.net.httpserver.HttpServer.create(
      new InetSocketAddress("127.0.0.1", 0), 16);
    agent.createContext("/kick", exchange -> {
      kicks.add(exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    agent.start();
    String url = "http://127.0.0.1:" + agent.getAddress().getPort() + "/kick";
    try (DemoProcess demo = DemoProcess.start(java.util.Map.of("DEMO_KICK_TOKEN", "t0ken"), "--port", "0",
      "--kick-url", url, "--kick-every", "100ms")) {
      awaitKicks(kicks, 2);
      assertThat(kicks).allMatch("Bearer t0ken"::equals);

      assertThat(post(demo.uri("/stall")).statusCode()).isEqualTo(202);
      Thread.sleep(300);   // a kick already on its way may still land
      int stalledAt = kicks.size();
      Thread.sleep(600);
      assertThat(kicks).as("no kick while stalled").hasSize(stalledAt);
      assertThat(get(demo.uri("/health")).statusCode()).as("HTTP answers while stalled").isEqualTo(200);

      assertThat(post(demo.uri("/unstall")).statusCode()).isEqualTo(200);
      awaitKicks(kicks, stalledAt + 2);
    } finally {
      agent.stop(0);
    }
  }

  private static void awaitKicks(java.util.List<String> kicks, int atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (kicks.size() < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(kicks).as("kicks").hasSizeGreaterThanOrEqualTo(atLeast);
  }

  @Test
  @DisplayName("with --ignore-term survives SIGTERM and still answers")
  void ignoresTerm() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0", "--ignore-term")) {
      demo.process.toHandle().destroy();

      assertThat(demo.process.waitFor(1, TimeUnit.SECONDS)).isFalse();
      assertThat(get(demo.uri("/health")).statusCode()).isEqualTo(200);
      demo.process.destroyForcibly();
      assertThat(demo.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  @DisplayName("without --ignore-term stops on SIGTERM")
  void stopsOnTerm() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0")) {
      demo.process.toHandle().destroy();

      assertThat(demo.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  @DisplayName("with --fork-child keeps a child process and prints its pid")
  void forksChild() throws Exception {
    try (DemoProcess demo = DemoProcess.start("--port", "0", "--fork-child")) {
      assertThat(demo.process.children())
        .singleElement()
        .satisfies(child -> {
          assertThat(child.info().command()).hasValueSatisfying(command -> assertThat(command).endsWith("sleep"));
          assertThat(demo.output).contains("kelpie-demo forked child pid=" + child.pid());
        });
    }
  }

  @Test
  @DisplayName("refuses a bad command line with a usage message and exit code 2")
  void refusesBadArguments() throws Exception {
    Process process = DemoProcess.launch("--port", "eighty");

    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output).contains("--port must be a number, got 'eighty'", "usage:");
  }

  /** Generous: the machine may be loaded; only the hang test wants a short wait, in {@link #getBriefly}. */
  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> getBriefly(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).GET().build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody()).build(),
      HttpResponse.BodyHandlers.ofString());
  }
}
