package dev.kelpie.agent.uplink;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Report;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Commands as they come off the bridge: a command admitted is carried out by the supervisor on the agent's bus, one
 * refused is not, and each ends as one result. Style: the test thread hands commands in on the agent's event loop and
 * polls the results, with a deadline.
 */
class CommandIntakeTest {

  private final Vertx agent = Vertx.vertx();
  private final List<Report> results = new CopyOnWriteArrayList<>();
  private final List<String> carriedOut = new CopyOnWriteArrayList<>();
  private final CommandIntake intake = new CommandIntake(agent, "web-01", Clock.systemUTC(), results::add);

  @AfterEach
  void close() {
    agent.close().await();
  }

  private static Command restart(String id, long epoch) {
    Instant now = Instant.now();
    return new Command(id, "web-01", "web", Action.RESTART, "down", now, now.plusSeconds(60), epoch);
  }

  private void receive(Command command) {
    agent.runOnContext(v -> intake.receive(null,
      new BridgeConnection.Incoming(Addresses.agentCommands("web-01"), command.toJson(), null)));
  }

  private List<CommandResult> awaitResults(int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (results.size() < count) {
      assertThat(System.nanoTime()).as("results in time: %s", results).isLessThan(deadline);
      Thread.sleep(5);
    }
    return results.stream().map(CommandResult.class::cast).toList();
  }

  @Test
  @DisplayName("a command runs once; the same id again, or one from an older coordinator, is refused without running")
  void gate() throws InterruptedException {
    agent.eventBus().<JsonObject>consumer(Addresses.LOCAL_COMMAND, msg -> {
      Command command = Command.fromJson(msg.body());
      carriedOut.add(command.id());
      msg.reply(CommandResult.of(command, CommandStatus.DONE, "restarted", Instant.now(), Duration.ofMillis(5), 42L)
        .toJson());
    }).completion().await();
    agent.runOnContext(v -> intake.epoch(3));

    receive(restart("c1", 3));
    awaitResults(1);
    receive(restart("c1", 3));
    receive(restart("c2", 2));
    List<CommandResult> done = awaitResults(3);

    assertThat(carriedOut).containsExactly("c1");
    assertThat(done).extracting(CommandResult::commandId, CommandResult::status).containsExactly(
      tuple("c1", CommandStatus.DONE),
      tuple("c1", CommandStatus.DUPLICATE),
      tuple("c2", CommandStatus.STALE_EPOCH));
  }

  @Test
  @DisplayName("a command that is not one is ignored: no result, nothing run")
  void malformed() throws InterruptedException {
    agent.eventBus().<JsonObject>consumer(Addresses.LOCAL_COMMAND, msg -> carriedOut.add("ran")).completion().await();

    agent.runOnContext(v -> intake.receive(null,
      new BridgeConnection.Incoming(Addresses.agentCommands("web-01"), new JsonObject().put("id", "x"), null)));
    receive(restart("c1", 0));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (carriedOut.isEmpty()) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(5);
    }

    assertThat(carriedOut).containsExactly("ran");
    assertThat(results).isEmpty();
  }
}
