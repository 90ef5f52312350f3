package dev.kelpie.agent.uplink;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A coordinator's remediate command, carried out by the check's own remediation ({@link Addresses#LOCAL_REMEDIATE}):
 * the answer says how many rows were listed or changed and which. A check that is unknown or cannot remediate is
 * refused as an unknown service, naming why.
 */
final class RemediateCommand {

  /** Ids in the detail; the result's remediation carries more. */
  private static final int SHOWN = 50;

  private RemediateCommand() {
  }

  static Future<CommandResult> run(Vertx vertx, Command command, Clock clock) {
    Instant start = clock.instant();
    JsonObject ask = new JsonObject().put("checkId", command.service()).put("dryRun", command.dryRun())
      .put("by", "command " + command.id()).put("reason", command.reason());
    return vertx.eventBus().<JsonObject>request(Addresses.LOCAL_REMEDIATE, ask)
      .map(reply -> {
        List<String> ids = new ArrayList<>();
        reply.body().getJsonArray("ids").forEach(id -> ids.add(String.valueOf(id)));
        CommandResult.Remediation done = new CommandResult.Remediation(command.dryRun(), ids);
        return CommandResult.of(command, CommandStatus.DONE, describe(done), clock.instant(),
          Duration.between(start, clock.instant()), null).withRemediation(done);
      })
      .recover(failure -> Future.succeededFuture(CommandResult.of(command,
        failure instanceof ReplyException refused && refused.failureCode() == 404 ? CommandStatus.UNKNOWN_SERVICE
          : CommandStatus.FAILED, failure.getMessage(), clock.instant(), Duration.between(start, clock.instant()),
        null)));
  }

  static String describe(CommandResult.Remediation done) {
    String rows = done.count() == 1 ? "1 row" : done.count() + " rows";
    List<String> shown = done.ids().size() > SHOWN ? done.ids().subList(0, SHOWN) : done.ids();
    return (done.dryRun() ? "dry run: " + rows + " would be changed" : rows + " changed")
      + (shown.isEmpty() ? "" : ": " + String.join(", ", shown)) + (done.count() > shown.size() ? ", ..." : "");
  }
}
