package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.policy.Decision;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything that follows from one input to the fleet (a hello, a report batch, a keepalive, a disconnection, an
 * undelivered command, an operator's request, a tick), as one value; whoever holds it sends it on, nothing is left
 * behind to drain.
 *
 * @param reply     the answer for whoever sent the input (a {@code HelloReply}, a {@code ReportAck}, an operator's
 *                  JSON reply), or null when nobody waits for one
 * @param decisions what the checks' policies decided (restart, give up); "nothing" is left out
 * @param commands  the commands to send to agents, in order
 * @param facts     what to store; its {@code alerts} are the same as {@link #alerts}, since the store keeps them in
 *                  its outbox with the facts that raised them. Handed over: nobody changes it afterwards
 * @param alerts    the alerts raised, to dispatch once the facts are committed
 * @param events    agents lost and back, oldest first
 * @param changes   what the dashboard shows that changed ({@code {time, checks, agents}}); null when nothing did,
 *                  and on every input but a tick (the dashboard is brought up to date four times a second, not per
 *                  report)
 */
public record Outcome<R>(R reply, List<Decided> decisions, List<Command> commands, Facts facts,
                         List<Facts.Alert> alerts, List<FleetEvent> events, JsonObject changes) {

  /** A decision other than "nothing", with the check it is about. */
  public record Decided(String agentId, String checkId, Decision decision) {
  }

  /** What one input leads to, gathered while it is handled; lists are made only when something goes in them. */
  static final class Builder {

    private List<Decided> decisions;
    private List<Command> commands;
    private List<Issued> issued;
    private List<FleetEvent> events;
    private Facts facts;
    private JsonObject changes;

    /** A command ordered, by a check ({@code check} set) or a person, to journal and maybe alert. */
    record Issued(TrackedAgent agent, TrackedCheck check, Command command, String issuedBy) {
    }

    void decided(TrackedAgent agent, TrackedCheck check, Decision decision) {
      if (decisions == null) {
        decisions = new ArrayList<>(2);
      }
      decisions.add(new Decided(agent.id(), check.id(), decision));
    }

    void command(Command command, TrackedAgent agent, TrackedCheck check, String issuedBy) {
      if (commands == null) {
        commands = new ArrayList<>(2);
        issued = new ArrayList<>(2);
      }
      commands.add(command);
      issued.add(new Issued(agent, check, command, issuedBy));
    }

    void event(FleetEvent event) {
      if (events == null) {
        events = new ArrayList<>(2);
      }
      events.add(event);
    }

    Facts facts() {
      if (facts == null) {
        facts = new Facts();
      }
      return facts;
    }

    void changes(JsonObject shown) {
      changes = shown;
    }

    /** The commands ordered since the last call, then forgotten (they stay in the outcome's commands). */
    List<Issued> takeIssued() {
      if (issued == null || issued.isEmpty()) {
        return List.of();
      }
      List<Issued> taken = List.copyOf(issued);
      issued.clear();
      return taken;
    }

    <R> Outcome<R> build(R reply) {
      Facts stored = facts();
      return new Outcome<>(reply, copy(decisions), copy(commands), stored, copy(stored.alerts), copy(events),
        changes);
    }

    private static <T> List<T> copy(List<T> items) {
      return items == null || items.isEmpty() ? List.of() : List.copyOf(items);
    }
  }
}
