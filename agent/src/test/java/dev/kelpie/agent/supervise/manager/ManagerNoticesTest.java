package dev.kelpie.agent.supervise.manager;

import dev.kelpie.agent.config.AgentConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The managers' own change notices: Docker's event stream read from a fake Engine API on a unix socket (real HTTP,
 * chunked, one JSON a line, cut anywhere), and a child's lines ({@code journalctl --follow} for systemd), each stream
 * opened again with backoff when it drops.
 */
@ExtendWith(VertxExtension.class)
class ManagerNoticesTest {

  private static final String DIE = "{\"Type\":\"container\",\"Action\":\"die\",\"status\":\"die\",\"id\":\"4f2a\","
    + "\"Actor\":{\"ID\":\"4f2a\",\"Attributes\":{\"exitCode\":\"137\",\"name\":\"api\"}},\"time\":1700000000}";
  private static final String START = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"4f2a\","
    + "\"Attributes\":{\"name\":\"api\"}}}";

  private Vertx vertx;
  private Context context;
  private final List<String> notices = new CopyOnWriteArrayList<>();
  private final List<String> filters = new CopyOnWriteArrayList<>();
  private final List<HttpServerResponse> open = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() {
    open.forEach(response -> response.reset());
  }

  /** A fake Engine: each GET /events is kept open; the test writes to the responses in {@link #open}. */
  private SocketAddress engine(Path dir) throws Exception {
    SocketAddress socket = SocketAddress.domainSocketAddress(dir.resolve("engine.sock").toString());
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      if (!request.path().equals("/events")) {
        request.response().setStatusCode(404).end("{\"message\":\"page not found\"}");
        return;
      }
      filters.add(URLDecoder.decode(request.getParam("filters"), StandardCharsets.UTF_8));
      request.response().setChunked(true).putHeader("Content-Type", "application/json");
      request.response().writeHead();
      open.add(request.response());
    });
    await(server.listen(socket));
    return socket;
  }

  @Test
  @DisplayName("Docker's events for the container become notices, lines cut across chunks included; a dropped stream "
    + "is opened again and goes on")
  void dockerEvents(@TempDir Path dir) throws Exception {
    SocketAddress socket = engine(dir);
    ServiceManager docker = docker("{type: docker, container: api, host: \"unix://" + socket.path() + "\"}");
    FollowedStream stream = onContext(() -> docker.follow(notices::add).orElseThrow());
    awaitThat(() -> open.size() == 1, "the stream to be opened");

    open.get(0).write(START + "\n" + DIE.substring(0, 40));
    open.get(0).write(DIE.substring(40) + "\n{\"Type\":\"network\",\"Action\":\"connect\"}\nnot json\n");
    awaitThat(() -> notices.size() == 2, "two notices: " + notices);
    open.get(0).end();
    awaitThat(() -> open.size() == 2, "the stream to be opened again");
    open.get(1).write(START + "\n");
    awaitThat(() -> notices.size() == 3, "the notice after the drop: " + notices);

    assertThat(notices).containsExactly("start", "die (exitCode 137)", "start");
    assertThat(stream.opened()).isEqualTo(2);
    assertThat(stream.what()).isEqualTo("Docker's events about docker container api at unix://" + socket.path());
    assertThat(new JsonObject(filters.get(0))).isEqualTo(new JsonObject("{\"type\":[\"container\"],"
      + "\"container\":[\"api\"]}"));
    context.runOnContext(v -> stream.close());
    await(docker.close());
  }

  @Test
  @DisplayName("an engine that is not there, or answers with an error, ends the stream with why")
  void dockerRefuses(@TempDir Path dir) throws Exception {
    SocketAddress missing = SocketAddress.domainSocketAddress(dir.resolve("missing.sock").toString());
    var client = vertx.createHttpClient();
    Throwable unreachable = failure(onContext(() -> EngineEvents.open(client, missing, "api", notices::add).ended()));
    await(vertx.createHttpServer().requestHandler(request -> request.response().setStatusCode(500)
      .end("{\"message\":\"permission denied\"}")).listen(SocketAddress.domainSocketAddress(
        dir.resolve("refusing.sock").toString())));
    Throwable refused = failure(onContext(() -> EngineEvents.open(client, SocketAddress.domainSocketAddress(
      dir.resolve("refusing.sock").toString()), "api", notices::add).ended()));

    assertThat(unreachable).hasMessageStartingWith("cannot reach the Docker engine at " + missing);
    assertThat(refused).hasMessage("the Docker engine answered HTTP 500: {\"message\":\"permission denied\"}");
    assertThat(EngineEvents.address("ssh://me@host")).isNull();
    assertThat(EngineEvents.address("tcp://10.0.0.5:2376").port()).isEqualTo(2376);
    assertThat(EngineEvents.notice("{\"status\":\"stop\",\"id\":\"4f2a\"}")).as("the old format").isEqualTo("stop");
  }

  @Test
  @DisplayName("a child's lines are notices; when it ends it is started again after a backoff")
  void childLines() throws Exception {
    FollowedStream stream = onContext(() -> new FollowedStream(vertx, "echo", notice -> ProcessLines.open(vertx,
      List.of("echo", "unit changed"), line -> !line.isBlank(), notice), notices::add).start());

    awaitThat(() -> notices.size() >= 2, "the child's line twice: " + notices);
    context.runOnContext(v -> stream.close());

    assertThat(notices).startsWith("unit changed", "unit changed");
    assertThat(stream.opened()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a stream that keeps failing is opened again after 0.5 s, then 1 s, then 2 s")
  void backoff() throws Exception {
    List<Long> opens = new CopyOnWriteArrayList<>();
    FollowedStream stream = onContext(() -> new FollowedStream(vertx, "failing", notice -> {
      opens.add(System.nanoTime());
      return new NoticeStream() {
        @Override
        public Future<Void> ended() {
          return Future.failedFuture("refused");
        }

        @Override
        public void close() {
        }
      };
    }, notices::add).start());

    awaitThat(() -> opens.size() >= 4, "four opens: " + opens.size());
    context.runOnContext(v -> stream.close());

    assertThat(Duration.ofNanos(opens.get(1) - opens.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(490));
    assertThat(Duration.ofNanos(opens.get(2) - opens.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(990));
    assertThat(Duration.ofNanos(opens.get(3) - opens.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(1990));
    assertThat(notices).isEmpty();
  }

  @Test
  @DisplayName("a child that cannot run, or fails, ends its stream with why (its own error output)")
  void childFails() throws Exception {
    Throwable missing = failure(onContext(() -> ProcessLines.open(vertx, List.of("kelpie-no-such-program", "-f"),
      line -> true, notices::add).ended()));
    Throwable fails = failure(onContext(() -> ProcessLines.open(vertx, List.of("ls", "/nonexistent-kelpie"),
      line -> true, notices::add).ended()));

    assertThat(missing).hasMessageStartingWith("cannot run kelpie-no-such-program: ");
    assertThat(fails).hasMessageStartingWith("exited with 2: ").hasMessageContaining("/nonexistent-kelpie");
  }

  @Test
  @DisplayName("systemd is followed in its journal: its own messages about the unit, system or user")
  void systemdJournal() {
    assertThat(Systemd.journalFollower(manager("{type: systemd, unit: api.service}")))
      .containsExactly("journalctl", "--follow", "--lines=0", "--output=cat", "_PID=1", "UNIT=api.service");
    assertThat(Systemd.journalFollower(manager("{type: systemd, unit: api.service, user: true}")))
      .containsExactly("journalctl", "--user", "--follow", "--lines=0", "--output=cat", "USER_UNIT=api.service");
  }

  private ServiceManager docker(String yaml) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("notices-test");
    return ServiceManager.of(vertx, workers, manager(yaml));
  }

  private static AgentConfig.Manager manager(String yaml) {
    return AgentConfig.fromYaml("""
      agent: {id: agent-test}
      coordinator: {url: "ws://127.0.0.1:1/bus", token: t}
      services: [{name: svc, manager: %s}]
      """.formatted(yaml), "agent.yaml", Map.of()).services().get(0).manager();
  }

  private <T> T onContext(Supplier<T> work) throws Exception {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> done.complete(work.get()));
    return await(done.future());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws Exception {
    return await(future.map(v -> (Throwable) new AssertionError("the stream ended without a failure"))
      .recover(Future::succeededFuture));
  }

  private static void awaitThat(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
