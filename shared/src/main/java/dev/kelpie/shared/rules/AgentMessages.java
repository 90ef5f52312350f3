package dev.kelpie.shared.rules;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * The coordinator's first look at a message from an agent: readable ({@code fromJson}) and within
 * {@link AgentRules}. What the agent's token does not allow is the gateway's to judge; what depends on what the
 * coordinator already holds (sequence numbers) is the policy's.
 */
public final class AgentMessages {

  private static final int PROBLEMS_SHOWN = 3;

  private AgentMessages() {
  }

  /** Why the message sent to {@code address} may not be taken, as "field: problem"; empty when it may. Never throws. */
  public static Optional<String> problem(String address, JsonObject body) {
    try {
      List<String> problems = switch (address) {
        case Addresses.AGENT_HELLO -> AgentRules.hello(AgentHello.fromJson(body));
        case Addresses.AGENT_REPORTS -> AgentRules.batch(ReportBatch.fromJson(body));
        case Addresses.AGENT_KEEPALIVE -> AgentRules.keepalive(Keepalive.fromJson(body));
        default -> List.of("address: no message of agents goes to '" + address + "'");
      };
      if (problems.isEmpty()) {
        return Optional.empty();
      }
      String shown = String.join("; ", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size())));
      return Optional.of(problems.size() > PROBLEMS_SHOWN
        ? shown + "; and " + (problems.size() - PROBLEMS_SHOWN) + " more" : shown);
    } catch (RuntimeException unreadable) {
      String why = unreadable.getMessage();
      return Optional.of(why == null ? unreadable.getClass().getSimpleName() : why);
    }
  }
}
