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
    return Optional.ofNullable(read(address, body).problem());
  }

  /**
   * The message sent to {@code address}, read once into its record ({@link AgentHello}, {@link ReportBatch} or
   * {@link Keepalive}) and judged by {@link AgentRules}: either the record, or why it may not be taken (the same words
   * as {@link #problem}). Never throws.
   */
  public static Reading read(String address, JsonObject body) {
    Object message;
    try {
      message = switch (address) {
        case Addresses.AGENT_HELLO -> AgentHello.fromJson(body);
        case Addresses.AGENT_REPORTS -> ReportBatch.fromJson(body);
        case Addresses.AGENT_KEEPALIVE -> Keepalive.fromJson(body);
        default -> null;
      };
    } catch (RuntimeException unreadable) {
      return unreadable(unreadable);
    }
    return judge(address, message);
  }

  /**
   * A message sent to {@code address} and already read into its record (straight from the frame, see
   * {@link dev.kelpie.shared.message.StreamedMessages}), judged as {@link #read} judges it. Never throws.
   */
  public static Reading judge(String address, Object message) {
    try {
      List<String> problems;
      if (message instanceof AgentHello hello && address.equals(Addresses.AGENT_HELLO)) {
        problems = AgentRules.hello(hello);
      } else if (message instanceof ReportBatch batch && address.equals(Addresses.AGENT_REPORTS)) {
        problems = AgentRules.batch(batch);
      } else if (message instanceof Keepalive keepalive && address.equals(Addresses.AGENT_KEEPALIVE)) {
        problems = AgentRules.keepalive(keepalive);
      } else {
        problems = List.of("address: no message of agents goes to '" + address + "'");
      }
      if (problems.isEmpty()) {
        return new Reading(message, null);
      }
      String shown = String.join("; ", problems.subList(0, Math.min(PROBLEMS_SHOWN, problems.size())));
      return new Reading(null, problems.size() > PROBLEMS_SHOWN
        ? shown + "; and " + (problems.size() - PROBLEMS_SHOWN) + " more" : shown);
    } catch (RuntimeException unreadable) {
      return unreadable(unreadable);
    }
  }

  /** The agent a message read into its record claims to be, or null when it is none of an agent's. */
  public static String agentId(Object message) {
    if (message instanceof AgentHello hello) {
      return hello.agentId();
    }
    if (message instanceof ReportBatch batch) {
      return batch.agentId();
    }
    return message instanceof Keepalive keepalive ? keepalive.agentId() : null;
  }

  private static Reading unreadable(RuntimeException unreadable) {
    String why = unreadable.getMessage();
    return new Reading(null, why == null ? unreadable.getClass().getSimpleName() : why);
  }

  /** A message read: exactly one of {@code message} (the record, within the rules) and {@code problem} is set. */
  public record Reading(Object message, String problem) {

    public boolean taken() {
      return problem == null;
    }
  }
}
