package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands reach the agent through the real bridge; the agent runs each at most once, refuses expired ones and ones
 * from an older coordinator epoch, and answers every one.
 */
class CommandDeliveryTest {

  private static final String AGENT = "host-c";

  private Fleet fleet;
  private Coordinator coordinator;
  private final Map<String, CommandResult> answers = new ConcurrentHashMap<>();
  private final Map<String, Integer> answerCount = new ConcurrentHashMap<>();
  private String agentConfig;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    int port = Fleet.freePort();
    coordinator = fleet.startCoordinator(vertx -> vertx.eventBus().addInboundInterceptor(delivery -> {
      if (Addresses.AGENT_REPORTS.equals(delivery.message().address())) {
        ReportBatch batch = delivery.message().body() instanceof ReportBatch read ? read
          : ReportBatch.fromJson((JsonObject) delivery.message().body());
        batch.reports().forEach(report -> {
          if (report instanceof CommandResult result) {
            answers.put(result.commandId(), result);
            answerCount.merge(result.commandId(), 1, Integer::sum);
          }
        });
      }
      delivery.next();
    }), AGENT);
    agentConfig = "services:\n  - name: demo\n    command: " + fleet.demoCommand(port) + "\n"
      + "    port: " + port + "\n"
      + "checks:\n  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + port + "/health\", "
      + "interval: 500ms}\n";
    fleet.startAgent(AGENT, agentConfig);
    fleet.await("healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  private Command command(String id, String service, Action action, Instant expiresAt, long epoch) {
    return new Command(id, AGENT, service, action, "test", Instant.now(), expiresAt, epoch);
  }

  private void send(Command command) {
    coordinator.vertx().eventBus().request(Addresses.agentCommands(AGENT), command.toJson()).await();
  }

  private CommandResult answer(String id) {
    fleet.await("an answer to " + id, Duration.ofSeconds(20), () -> answers.containsKey(id));
    return answers.get(id);
  }

  @Test
  @DisplayName("a command sent twice runs once; the second is answered as a duplicate")
  void atMostOnce() {
    long before = fleet.pid(AGENT, "demo");
    Command restart = command("restart-1", "demo", Action.RESTART, Instant.now().plusSeconds(30), coordinator.epoch());
    send(restart);
    send(restart);
    fleet.await("two answers", Duration.ofSeconds(20), () -> answerCount.getOrDefault("restart-1", 0) == 2);
    assertThat(fleet.pid(AGENT, "demo")).isNotEqualTo(before);
    long started = Fleet.stream(fleet.events(AGENT))
      .filter(e -> "started".equals(e.getString("type")) && "restart-1".equals(e.getString("commandId"))).count();
    assertThat(started).as("spawned once for the command").isEqualTo(1);
    assertThat(answers.get("restart-1").status()).isIn(CommandStatus.DONE, CommandStatus.DUPLICATE);
  }

  @Test
  @DisplayName("an expired command, one from an older epoch, and one for an unknown service are refused with a reason")
  void refusals() {
    long pid = fleet.pid(AGENT, "demo");
    send(command("expired", "demo", Action.KILL, Instant.now().minusSeconds(1), coordinator.epoch()));
    send(command("stale", "demo", Action.KILL, Instant.now().plusSeconds(30), coordinator.epoch() - 1));
    send(command("nobody", "nobody", Action.KILL, Instant.now().plusSeconds(30), coordinator.epoch()));

    assertThat(List.of(answer("expired").status(), answer("stale").status(), answer("nobody").status()))
      .containsExactly(CommandStatus.EXPIRED, CommandStatus.STALE_EPOCH, CommandStatus.UNKNOWN_SERVICE);
    assertThat(answer("nobody").detail()).contains("no service named 'nobody'");
    assertThat(Fleet.alive(pid)).as("nothing was killed").isTrue();
    assertThat(fleet.pid(AGENT, "demo")).isEqualTo(pid);
  }

  @Test
  @DisplayName("a person's stop keeps the service down and its checks paused, across an agent restart; start resumes")
  void stopAndStart() throws Exception {
    long pid = fleet.pid(AGENT, "demo");
    send(command("stop-1", "demo", Action.STOP, Instant.now().plusSeconds(30), coordinator.epoch()));
    assertThat(answer("stop-1").status()).isEqualTo(CommandStatus.DONE);
    fleet.await("paused", Duration.ofSeconds(10), () -> "paused".equals(fleet.state(AGENT, "demo-http")));
    assertThat(Fleet.alive(pid)).isFalse();

    fleet.stopAgent();
    fleet.startAgent(AGENT, agentConfig);
    fleet.await("reconnected", Duration.ofSeconds(10),
      () -> fleet.agent(AGENT).map(a -> a.getBoolean("connected")).orElse(false));
    assertThat(fleet.pid(AGENT, "demo")).as("a service stopped on purpose is not started again").isNull();
    assertThat(fleet.processes().count()).isZero();

    send(command("start-1", "demo", Action.START, Instant.now().plusSeconds(30), coordinator.epoch()));
    assertThat(answer("start-1").status()).isEqualTo(CommandStatus.DONE);
    fleet.await("healthy again", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
  }
}
