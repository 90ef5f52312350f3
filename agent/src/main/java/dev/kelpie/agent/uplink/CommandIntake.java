package dev.kelpie.agent.uplink;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.MessageFormatException;
import dev.kelpie.shared.message.Report;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The commands the coordinator sends this agent: each is acknowledged on receipt, passes the {@link CommandGate} or
 * is refused, and is carried out by the supervisor (a remediation by the check's own, {@link RemediateCommand}); every
 * command admitted or refused ends as one {@link CommandResult}, handed to {@code results} to leave as a report.
 */
final class CommandIntake {

  private static final Logger log = LoggerFactory.getLogger(CommandIntake.class);
  private static final DeliveryOptions COMMAND_TIMEOUT = new DeliveryOptions().setSendTimeout(600_000);

  private final Vertx vertx;
  private final String agentId;
  private final Clock clock;
  private final Consumer<Report> results;
  private final CommandGate gate = new CommandGate();

  CommandIntake(Vertx vertx, String agentId, Clock clock, Consumer<Report> results) {
    this.vertx = vertx;
    this.agentId = agentId;
    this.clock = clock;
    this.results = results;
  }

  /** A coordinator of this epoch answered the hello: commands from older ones are refused from now on. */
  void epoch(long coordinatorEpoch) {
    gate.epoch(coordinatorEpoch);
  }

  /** A command that came over {@code connection}. */
  void receive(BridgeConnection connection, BridgeConnection.Incoming incoming) {
    if (incoming.replyAddress() != null) {
      connection.reply(incoming.replyAddress(), new JsonObject().put("accepted", true));
    }
    Command command;
    try {
      command = Command.fromJson((JsonObject) incoming.body());
    } catch (MessageFormatException | ClassCastException e) {
      log.atWarn().addKeyValue("agent", agentId).log("ignored a malformed command: {}", e.getMessage());
      return;
    }
    CommandStatus refusal = gate.admit(command, clock.instant());
    if (refusal != null) {
      log.atWarn().addKeyValue("agent", agentId).addKeyValue("command", command.id())
        .log("refused {} of {}: {}", command.action(), command.service(), refusal);
      results.accept(CommandResult.of(command, refusal,
        "refused: " + refusal.name().toLowerCase().replace('_', ' '), clock.instant(), Duration.ZERO, null));
      return;
    }
    if (command.action() == Action.REMEDIATE) {
      RemediateCommand.run(vertx, command, clock).onSuccess(results::accept);
      return;
    }
    vertx.eventBus().<JsonObject>request(Addresses.LOCAL_COMMAND, command.toJson(), COMMAND_TIMEOUT)
      .map(reply -> CommandResult.fromJson(reply.body()))
      .recover(failure -> Future.succeededFuture(CommandResult.of(command, CommandStatus.FAILED,
        "supervisor did not answer: " + failure.getMessage(), clock.instant(), Duration.ZERO, null)))
      .onSuccess(results::accept);
  }
}
