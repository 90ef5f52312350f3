package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.probe.ProbeVerticle;
import dev.kelpie.demo.DemoService;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.agent.metrics.AgentMetrics;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The agent acting through a real supervisord on the real demo service: what the coordinator sees (process events,
 * command results) is what it sees for a service the agent spawns.
 */
@ExtendWith(VertxExtension.class)
class SupervisordManagerTest {

  private SupervisorHarness harness;
  private RealSupervisord supervisord;

  @TempDir
  Path supervisorDir;

  @BeforeEach
  void setUp(Vertx vertx, @TempDir Path stateDir) {
    if ("true".equals(System.getenv("CI"))) {
      assertThat(RealSupervisord.installed()).as("supervisord installed (.ci/run installs Debian's supervisor)")
        .isTrue();
    }
    assumeTrue(RealSupervisord.installed(), "supervisord is not installed (Debian: apt-get install supervisor); "
      + "the supervisord manager tests are skipped");
    harness = new SupervisorHarness(vertx, stateDir);
  }

  private void startSupervisord() throws Exception {
    supervisord = RealSupervisord.start(supervisorDir);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (harness != null) {
      harness.killEverything();
    }
    if (supervisord != null) {
      supervisord.close();
    }
  }

  private AgentConfig config(String manager, String checks) {
    return config(supervisord.demoPort, manager, checks);
  }

  private static AgentConfig config(int port, String manager, String checks) {
    return AgentConfig.fromYaml("""
      agent: {id: agent-test}
      coordinator: {url: "ws://127.0.0.1:1/bus", token: t}
      services:
        - name: demo
          port: %d
          manager: %s
      %s
      """.formatted(port, manager, checks), "agent.yaml", Map.of());
  }

  private String viaSocket() {
    return "{type: supervisord, program: demo, socket: \"" + supervisord.socket + "\", timeout: 15s}";
  }

  @Test
  @DisplayName("a hang is found by the HTTP check; the restart goes through supervisord, which shows a new pid")
  void hangRestartedThroughSupervisord(Vertx vertx) throws Exception {
    startSupervisord();
    AgentConfig config = config(viaSocket(), """
      checks:
        - {id: demo-http, type: http, service: demo, url: "http://127.0.0.1:%d/health", interval: 500ms, timeout: 400ms}
      """.formatted(supervisord.demoPort));
    long before = supervisord.pid().orElseThrow();
    harness.deploy(config.services());
    ProcessEvent adopted = harness.awaitEvent("demo", ProcessEventType.ADOPTED);
    assertThat(adopted.pid()).isEqualTo(before);
    assertThat(adopted.detail()).contains("supervisord program demo at unix://").contains("RUNNING");
    assertThat(harness.listing()).singleElement().satisfies(info -> {
      assertThat(info.pid()).isEqualTo(before);
      assertThat(info.manager().type()).isEqualTo("supervisord");
      assertThat(info.manager().target()).isEqualTo("supervisord program demo at unix://" + supervisord.socket);
      assertThat(info.manager().says()).isEqualTo("supervisord: RUNNING (pid " + before + ")");
    });
    SupervisorHarness.get(vertx.deployVerticle(new ProbeVerticle(SupervisorHarness.AGENT, config.checks(),
      Clock.systemUTC(), AgentMetrics.NONE)));
    SupervisorHarness.await(() -> harness.results.stream().anyMatch(r -> r.outcome() == Outcome.UP),
      "the HTTP check to answer up: " + harness.results);

    post("/hang");
    SupervisorHarness.await(() -> harness.results.stream().anyMatch(r -> r.outcome() != Outcome.UP),
      "the HTTP check to fail after the hang: " + harness.results);
    CommandResult restart = harness.command("demo", Action.RESTART);

    assertThat(restart.status()).as(restart.detail()).isEqualTo(CommandStatus.DONE);
    assertThat(restart.evidence()).as("evidence of the main pid before the stop").satisfies(evidence -> {
      assertThat(evidence.pid()).isEqualTo(before);
      assertThat(evidence.threads()).isPositive();
      assertThat(evidence.threadDump() != null || evidence.missing().stream().anyMatch(m -> m.startsWith("thread dump")))
        .as("a thread dump, or why not: %s", evidence.missing()).isTrue();
    });
    long after = supervisord.pid().orElseThrow();
    assertThat(after).isNotEqualTo(before);
    assertThat(restart.pid()).isEqualTo(after);
    assertThat(restart.detail()).contains("supervisord program demo").contains("stopped pid " + before)
      .contains("port " + supervisord.demoPort + " free").contains("started as pid " + after);
    assertThat(supervisord.status()).contains("RUNNING").contains("pid " + after);
    assertThat(harness.awaitEvent(e -> e.type() == ProcessEventType.STARTED).manager())
      .as("supervisord's own view on the start").satisfies(view -> {
        assertThat(view.state()).isEqualTo("RUNNING");
        assertThat(view.pid()).isEqualTo(after);
      });
    assertThat(harness.listing().get(0).manager().says()).isEqualTo("supervisord: RUNNING (pid " + after + ")");
    assertThat(harness.types("demo")).containsSubsequence(ProcessEventType.ADOPTED, ProcessEventType.SIGNALLED,
      ProcessEventType.KILLED, ProcessEventType.PORT_RELEASED, ProcessEventType.STARTED);
    int seen = harness.results.size();
    SupervisorHarness.await(() -> harness.results.stream().skip(seen).anyMatch(r -> r.outcome() == Outcome.UP),
      "the HTTP check to answer up after the restart");
  }

  @Test
  @DisplayName("a crash is seen at once, with supervisord's exit status; a start goes through supervisord")
  void crashSeenAtOnce() throws Exception {
    startSupervisord();
    harness.deploy(config(viaSocket(), "").services());
    long before = harness.awaitEvent("demo", ProcessEventType.ADOPTED).pid();

    post("/crash");
    SupervisorHarness.await(() -> ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false) == false,
      "the demo to end after the crash");
    Instant gone = Instant.now();
    ProcessEvent exited = harness.awaitEvent("demo", ProcessEventType.EXITED);
    long noticedMillis = Duration.between(gone, exited.time()).toMillis();

    assertThat(noticedMillis).as("time from the demo's end to the EXITED event").isLessThan(1_500);
    assertThat(exited.pid()).isEqualTo(before);
    assertThat(exited.exitCode()).isEqualTo(3);
    assertThat(exited.detail()).contains("supervisord program demo").contains("EXITED");
    SupervisorHarness.await(() -> harness.states.stream().anyMatch(s -> !s.running()), "the service shown down");

    CommandResult start = harness.command("demo", Action.START);
    assertThat(start.status()).as(start.detail()).isEqualTo(CommandStatus.DONE);
    assertThat(supervisord.pid()).hasValue(start.pid());
    System.out.println("demo ended to EXITED: " + noticedMillis + " ms");
  }

  @Test
  @DisplayName("a kill -9 of the program's pid is seen within a second, with supervisord's own view beside Kelpie's")
  void killNineSeenWithinASecond() throws Exception {
    startSupervisord();
    harness.deploy(config(viaSocket(), "").services());
    ProcessEvent adopted = harness.awaitEvent("demo", ProcessEventType.ADOPTED);
    long before = adopted.pid();
    assertThat(adopted.manager()).isNotNull();
    assertThat(adopted.manager().says()).isEqualTo("supervisord: RUNNING (pid " + before + ")");
    assertThat(harness.listing().get(0).manager().state()).isEqualTo("RUNNING");

    Instant killed = Instant.now();
    SupervisorHarness.signal("KILL", before);
    ProcessEvent exited = harness.awaitEvent("demo", ProcessEventType.EXITED);
    long noticedMillis = Duration.between(killed, exited.time()).toMillis();

    assertThat(noticedMillis).as("time from kill -9 to the EXITED event").isLessThan(1_000);
    assertThat(exited.pid()).isEqualTo(before);
    assertThat(exited.detail()).contains("supervisord program demo").contains("EXITED");
    assertThat(exited.manager().state()).isEqualTo("EXITED");
    assertThat(exited.manager().pid()).isNull();
    assertThat(supervisord.status()).contains("EXITED");
    SupervisorHarness.await(() -> {
      ServiceInfo shown = harness.states.get(harness.states.size() - 1);
      return !shown.running() && "EXITED".equals(shown.manager().state());
    }, "the service shown down, and supervisord saying EXITED: " + harness.states);
    System.out.println("kill -9 to EXITED: " + noticedMillis + " ms");
  }

  @Test
  @DisplayName("supervisord over its inet_http_server, beside a spawned service: a stop stays down, a start brings "
    + "it back, and no adopt rule takes supervisord's process")
  void overHttp() throws Exception {
    startSupervisord();
    AgentConfig config = AgentConfig.fromYaml("""
      agent: {id: agent-test}
      coordinator: {url: "ws://127.0.0.1:1/bus", token: t}
      services:
        - {name: spawned, command: [sleep, "300"], adopt: {pattern: "%s"}}
        - {name: demo, manager: {type: supervisord, program: demo, url: "http://127.0.0.1:%d"}}
      """.formatted(DemoService.class.getSimpleName(), supervisord.rpcPort), "agent.yaml", Map.of());
    harness.deploy(config.services());
    long demo = harness.awaitEvent("demo", ProcessEventType.ADOPTED).pid();
    assertThat(harness.awaitEvent("spawned", ProcessEventType.STARTED).pid()).isNotEqualTo(demo);
    assertThat(harness.listing()).extracting(ServiceInfo::name).containsExactly("spawned", "demo");

    CommandResult stop = harness.command("demo", Action.STOP);

    assertThat(stop.status()).as(stop.detail()).isEqualTo(CommandStatus.DONE);
    assertThat(stop.detail()).contains("stays down until a start").contains("its last output:");
    assertThat(supervisord.status()).contains("STOPPED");
    assertThat(harness.listing().get(1).wanted()).isFalse();
    CommandResult start = harness.command("demo", Action.START);
    assertThat(start.status()).as(start.detail()).isEqualTo(CommandStatus.DONE);
    assertThat(supervisord.pid()).hasValue(start.pid());
  }

  @Test
  @DisplayName("a program found stopped at the agent's start is started through supervisord")
  void stoppedAtStart() throws Exception {
    startSupervisord();
    supervisord.ctl("stop", "demo");
    assertThat(supervisord.status()).contains("STOPPED");

    harness.deploy(config(viaSocket(), "").services());
    ProcessEvent started = harness.awaitEvent("demo", ProcessEventType.STARTED);

    assertThat(supervisord.pid()).hasValue(started.pid());
    assertThat(started.detail()).isEqualTo("through supervisord program demo at unix://" + supervisord.socket
      + ", which says RUNNING");
  }

  @Test
  @DisplayName("a program supervisord does not know is a clear refusal at start, on every command and on its check")
  void unknownProgram(Vertx vertx) throws Exception {
    startSupervisord();
    harness.deploy(config("{type: supervisord, program: nope, socket: \"" + supervisord.socket + "\"}", "")
      .services());

    ProcessEvent failed = harness.awaitEvent("demo", ProcessEventType.START_FAILED);
    CommandResult restart = harness.command("demo", Action.RESTART);
    AgentConfig config = config("{type: supervisord, program: nope, socket: \"" + supervisord.socket + "\"}", "");
    SupervisorHarness.get(vertx.deployVerticle(new ProbeVerticle(SupervisorHarness.AGENT, config.checks(),
      Clock.systemUTC(), AgentMetrics.NONE)));
    SupervisorHarness.await(() -> harness.results.stream().anyMatch(r -> r.checkId().equals("demo.process")),
      "the service's process check to answer: " + harness.results);

    assertThat(failed.detail()).isEqualTo("supervisord program nope at unix://" + supervisord.socket
      + ": supervisord has no program nope (to supervisor.getProcessInfo)");
    assertThat(failed.manager().problem()).isEqualTo(failed.detail());
    assertThat(harness.listing().get(0).manager().problem()).contains("supervisord has no program nope");
    assertThat(harness.results.stream().filter(r -> r.checkId().equals("demo.process")).findFirst().orElseThrow())
      .satisfies(result -> {
        assertThat(result.outcome()).isEqualTo(Outcome.DOWN);
        assertThat(result.detail()).isEqualTo("demo is not running; supervisord program nope at unix://"
          + supervisord.socket + ": supervisord has no program nope (to supervisor.getProcessInfo)");
      });
    assertThat(restart.status()).isEqualTo(CommandStatus.FAILED);
    assertThat(restart.detail()).contains("supervisord has no program nope");
  }

  @Test
  @DisplayName("a supervisord that asks for credentials refuses none or wrong ones clearly, at start and on a "
    + "command; the right ones adopt the program")
  void credentialsRefused() throws Exception {
    supervisord = RealSupervisord.start(supervisorDir, "kelpie", "s3cret");
    String socket = "socket: \"" + supervisord.socket + "\"";
    String none = harness.deploy(config("{type: supervisord, program: demo, " + socket + "}", "").services());
    ProcessEvent refused = harness.awaitEvent("demo", ProcessEventType.START_FAILED);
    CommandResult start = harness.command("demo", Action.START);
    harness.undeploy(none);
    harness.events.clear();
    String wrong = harness.deploy(config("{type: supervisord, program: demo, " + socket
      + ", username: kelpie, password: nope}", "").services());
    ProcessEvent wrongOnes = harness.awaitEvent("demo", ProcessEventType.START_FAILED);
    harness.undeploy(wrong);
    harness.events.clear();
    harness.deploy(config("{type: supervisord, program: demo, " + socket + ", username: kelpie, password: s3cret}",
      "").services());

    assertThat(refused.detail()).isEqualTo("supervisord program demo at unix://" + supervisord.socket
      + ": supervisord refused the call without credentials (set username and password)");
    assertThat(start.status()).isEqualTo(CommandStatus.FAILED);
    assertThat(start.detail()).contains("supervisord refused the call without credentials");
    assertThat(wrongOnes.detail()).endsWith(": supervisord refused the username and password");
    assertThat(harness.awaitEvent("demo", ProcessEventType.ADOPTED).pid()).isEqualTo(supervisord.pid().orElseThrow());
  }

  @Test
  @DisplayName("an unreachable supervisord (no socket, nothing on the port) is a clear error, never a crash")
  void unreachable() throws Exception {
    int closed = RealSupervisord.freePort();
    String bySocket = harness.deploy(config(closed, "{type: supervisord, program: demo, "
      + "socket: /nonexistent/supervisor.sock, timeout: 2s}", "").services());
    ProcessEvent failed = harness.awaitEvent("demo", ProcessEventType.START_FAILED);
    CommandResult start = harness.command("demo", Action.START);

    assertThat(failed.detail()).startsWith("supervisord program demo at unix:///nonexistent/supervisor.sock is "
      + "unreachable: ");
    assertThat(harness.listing().get(0).manager().problem()).startsWith("supervisord program demo at "
      + "unix:///nonexistent/supervisor.sock is unreachable: ");
    assertThat(start.status()).isEqualTo(CommandStatus.FAILED);
    assertThat(start.detail()).contains("is unreachable");

    harness.undeploy(bySocket);
    harness.deploy(config(closed, "{type: supervisord, program: demo, url: \"http://127.0.0.1:" + closed + "/RPC2\"}",
      "").services());
    CommandResult overHttp = harness.command("demo", Action.RESTART);
    assertThat(overHttp.status()).isEqualTo(CommandStatus.FAILED);
    assertThat(overHttp.detail()).contains("supervisord program demo at http://127.0.0.1:" + closed
      + "/RPC2 is unreachable");
  }

  private void post(String path) throws Exception {
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + supervisord.demoPort
        + path)).timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.noBody()).build(),
      HttpResponse.BodyHandlers.discarding());
  }
}
