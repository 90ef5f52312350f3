package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.Decision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The decisions taken on the fleet, on top of each check's own policy: a check is never acted on while its agent
 * cannot be reached or while it is silenced; one command at a time per service (a second check wanting the same
 * restart waits on the first); while a command runs, the results of its service's checks are recorded but not
 * judged. Commands ordered go into the outcome; what to store and to alert is left to the journal and the alerts.
 */
final class FleetRules {

  private static final Logger log = LoggerFactory.getLogger(FleetRules.class);
  private static final CheckType REMEDIABLE = CheckType.of("jobs");
  /** Who ordered what a check's policy decided, in the actions. */
  static final String POLICY = "policy";

  private final CommandBook commands;
  private final long epoch;
  private final Duration commandTtl;
  private final Duration answerTimeout;
  private final Supplier<String> commandIds;
  private final FleetMetrics metrics;
  private RestartGate gate;

  FleetRules(CommandBook commands, long epoch, Duration commandTtl, Duration answerTimeout,
             Supplier<String> commandIds, FleetMetrics metrics) {
    this.commands = commands;
    this.epoch = epoch;
    this.commandTtl = commandTtl;
    this.answerTimeout = answerTimeout;
    this.commandIds = commandIds;
    this.metrics = metrics;
  }

  /** The fleet rules every restart decided by a check's policy passes first. */
  void gate(RestartGate fleetRules) {
    gate = fleetRules;
  }

  void result(TrackedAgent agent, TrackedCheck check, ProbeResult result, Duration age, Instant now,
              Outcome.Builder out) {
    check.seen(result);
    gate.observe(agent, check, result, now, out);
    if (busy(agent, check) || aboutAnEarlierProcess(agent, check, result) || agent.silenced(check, now)) {
      return;
    }
    Duration notNegative = age.isNegative() ? Duration.ZERO : age;
    act(agent, check, check.state().onResult(now, result.up(), notNegative), now, out);
  }

  void processEvent(TrackedAgent agent, ProcessEvent event, Instant now) {
    processEvent(agent, event, now, true);
  }

  /** Not {@code judged}: the agent already applied its policy to it (it was alone); the services are still followed. */
  void processEvent(TrackedAgent agent, ProcessEvent event, Instant now, boolean judged) {
    agent.remember(event);
    agent.countStarts(event);
    if (event.commandId() != null && event.type() == ProcessEventType.SIGNALLED) {
      agent.commandRunning(event.service(), event.commandId());
    }
    ServiceInfo known = agent.service(event.service());
    boolean wanted = known == null || known.wanted();
    switch (event.type()) {
      case STARTED, ADOPTED -> agent.service(known == null
        ? new ServiceInfo(event.service(), true, event.pid(), event.time(), null)
        : known.withProcess(true, event.pid(), event.time()));
      case EXITED, KILLED -> agent.service(known == null ? new ServiceInfo(event.service(), wanted, null, null, null)
        : known.withProcess(wanted, null, null));
      default -> {
      }
    }
    if (event.manager() != null && agent.service(event.service()) != null) {
      agent.service(agent.service(event.service()).withManager(event.manager()));
    }
    if (event.type() == ProcessEventType.STARTED && judged) {
      checksOf(agent, event.service(), check -> check.state().onStarted(now));
    }
    log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("service", event.service())
      .addKeyValue("command", event.commandId())
      .log("process {} pid {}{}", event.type().name().toLowerCase(), event.pid(),
        event.detail() == null ? "" : ": " + event.detail());
  }

  /** An agent's answer to a command; false for a duplicate (the first answer stands, nothing to record). */
  boolean commandResult(TrackedAgent agent, CommandResult result, Instant now) {
    if (result.status() == CommandStatus.DUPLICATE) {
      log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("command", result.commandId())
        .log("the agent already had command {}; its first answer stands", result.commandId());
      return false;
    }
    Command sent = commands.sent(result.commandId());
    if (sent != null && !answers(result, agent, sent)) {
      log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("command", result.commandId())
        .log("ignored a result ({} of {}) for command {}: it was {} of {} on agent {}", result.action(),
          result.service(), result.commandId(), sent.action(), sent.service(), sent.agentId());
      return false;
    }
    CommandBook.Pending pending = commands.finish(result.commandId());
    agent.commandFinished(result.service(), result.commandId());
    gate.commandEnded(agent.id(), result.service());
    metrics.commandAnswered(result.action(), result.status());
    boolean done = result.status() == CommandStatus.DONE;
    log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("service", result.service())
      .addKeyValue("command", result.commandId())
      .log("{} of {} answered {} after {} ms: {}", result.action(), result.service(), result.status(),
        result.duration().toMillis(), result.detail());
    if (pending != null) {
      pending.waiting().forEach(check -> check.state().onActionFinished(now, done));
    }
    if (done && (result.action() == Action.STOP || result.action() == Action.KILL)) {
      checksOf(agent, result.service(), check -> check.state().onStopped());
    }
    // an answer to a command this coordinator did not send (or no longer knows) tells of the agent's own service,
    // but there is no action of ours to record it on
    return sent != null;
  }

  /** A result is bound to the agent and the command it answers: another agent's result for it is a forgery. */
  private static boolean answers(CommandResult result, TrackedAgent agent, Command command) {
    return command.agentId().equals(agent.id()) && command.service().equals(result.service())
      && command.action() == result.action();
  }

  /**
   * A restart the agent decided alone has ended: its service is free again, and, when it ended after the hand-over
   * ({@code judged}), the check that waited on it in the memory handed over may decide again.
   */
  void localActionFinished(TrackedAgent agent, TrackedCheck check, CommandResult result, boolean judged,
                           Instant now) {
    agent.commandFinished(result.service(), result.commandId());
    gate.commandEnded(agent.id(), result.service());
    metrics.commandAnswered(result.action(), result.status());
    log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("service", result.service())
      .addKeyValue("command", result.commandId())
      .log("{} of {} decided by the agent while the coordinator was away: {} ({})", result.action(),
        result.service(), result.status(), result.detail());
    if (judged && check != null) {
      check.state().onActionFinished(now, result.status() == CommandStatus.DONE);
    }
  }

  /** Unanswered commands are given up on: the checks waiting on them may decide again. Returns those commands. */
  List<CommandBook.Pending> overdue(Instant now) {
    List<CommandBook.Pending> overdue = commands.overdue(now);
    for (CommandBook.Pending pending : overdue) {
      log.atWarn().addKeyValue("agent", pending.command().agentId()).addKeyValue("command", pending.command().id())
        .log("no answer to {} of {} within {}", pending.command().action(), pending.command().service(),
          answerTimeout);
      gate.commandEnded(pending.command().agentId(), pending.command().service());
      metrics.commandLost(pending.command().action(), "unanswered");
      pending.waiting().forEach(check -> check.state().onActionFinished(now, false));
    }
    return overdue;
  }

  /** Time passes for a reachable agent's checks: backoff delays and startup deadlines run out. */
  void tick(TrackedAgent agent, Instant now, Outcome.Builder out) {
    for (TrackedCheck check : agent.checks().values()) {
      if (!busy(agent, check) && !agent.silenced(check, now)) {
        act(agent, check, check.state().onTick(now), now, out);
      }
    }
  }

  /** A command could not be handed to its agent: its checks may decide again. */
  void undelivered(Command command, Instant now, String why) {
    CommandBook.Pending pending = commands.finish(command.id());
    gate.commandEnded(command.agentId(), command.service());
    log.atWarn().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
      .log("could not deliver {} of {}: {}", command.action(), command.service(), why);
    if (pending != null) {
      metrics.commandLost(command.action(), "undelivered");
      pending.waiting().forEach(check -> check.state().onActionFinished(now, false));
    }
  }

  /** A person's restart, stop or start: a command like the policy's own, one at a time per service. */
  Command operatorCommand(TrackedAgent agent, OperatorRequest request, Instant now, Outcome.Builder out) {
    if (agent.service(request.service()) == null) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.NOT_FOUND, "agent '" + agent.id()
        + "' supervises no service '" + request.service() + "'");
    }
    if (!agent.reachable()) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.CONFLICT, "agent '" + agent.id()
        + "' is not connected; try again when it is back");
    }
    if (commands.forService(agent.id(), request.service()) != null || agent.commandRunning(request.service())) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.CONFLICT, "a command is already running on "
        + request.service() + "; wait for it to finish");
    }
    Action action = Action.valueOf(request.kind().name());
    Command command = new Command(commandIds.get(), agent.id(), request.service(), action,
      "operator " + request.by() + (request.reason() == null ? "" : ": " + request.reason()), now,
      now.plus(commandTtl), epoch);
    commands.add(command, null, now.plus(answerTimeout));
    log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("command", command.id())
      .log("{} asked to {} {}", request.by(), request.action(), request.service());
    metrics.commandSent(action);
    out.command(command, agent, null, request.by());
    return command;
  }

  private void act(TrackedAgent agent, TrackedCheck check, Decision decision, Instant now, Outcome.Builder out) {
    if (decision.isNone()) {
      return;
    }
    metrics.decided(decision.kind());
    out.decided(agent, check, decision);
    switch (decision.kind()) {
      case GIVE_UP -> log.atError().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
        .log("gave up on {}: {}; a person must act and reset the check", check.service(), decision.reason());
      case RESTART -> {
        if (check.spec().rules().remediate()) {
          remediateByPolicy(agent, check, decision.reason(), now, out);
        } else {
          restart(agent, check, decision.reason(), now, out);
        }
      }
      default -> {
      }
    }
  }

  /**
   * A remediation of what {@code check} found (stuck jobs), or a dry run that lists it: a command to the agent named by
   * the check, one at a time per check; {@code waiting} is the check whose policy decided it (null for a person).
   *
   * @throws OperatorRequest.Refused 400 when the check cannot remediate, 409 when the agent is away or one runs
   */
  Command remediate(TrackedAgent agent, TrackedCheck check, String by, String reason, boolean dryRun,
                    TrackedCheck waiting, Instant now, Outcome.Builder out) {
    if (!REMEDIABLE.equals(check.spec().type())) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.BAD_REQUEST, "check '" + check.id() + "' of agent '"
        + agent.id() + "' is a " + check.spec().type() + " check; only jobs checks can be remediated");
    }
    if (!agent.reachable()) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.CONFLICT, "agent '" + agent.id()
        + "' is not connected; try again when it is back");
    }
    if (commands.forService(agent.id(), check.id()) != null) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.CONFLICT, "a remediation of " + check.id()
        + " is already running; wait for it to finish");
    }
    Command command = new Command(commandIds.get(), agent.id(), check.id(), Action.REMEDIATE, reason, now,
      now.plus(commandTtl), epoch, dryRun);
    commands.add(command, waiting, now.plus(answerTimeout));
    log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
      .addKeyValue("command", command.id())
      .log("{} asked to remediate {}{}", by, check.id(), dryRun ? " (dry run)" : "");
    metrics.commandSent(Action.REMEDIATE);
    out.command(command, agent, waiting, by);
    return command;
  }

  /** A jobs check that remediates on failure: its policy's action is a remediation, ordered by "policy". */
  private void remediateByPolicy(TrackedAgent agent, TrackedCheck check, String reason, Instant now,
                                 Outcome.Builder out) {
    if (!agent.reachable() || commands.forService(agent.id(), check.id()) != null
      || !REMEDIABLE.equals(check.spec().type())) {
      check.state().onActionFinished(now, false);
      return;
    }
    if (check.spec().rules().shadow()) {
      log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
        .log("would have remediated {} (shadow mode): {}", check.id(), reason);
      check.state().onActionFinished(now, true);
      return;
    }
    remediate(agent, check, POLICY, check.id() + ": " + reason, false, check, now, out);
  }

  private void restart(TrackedAgent agent, TrackedCheck check, String reason, Instant now, Outcome.Builder out) {
    if (!agent.reachable() || check.service() == null) {
      check.state().onActionFinished(now, false);
      return;
    }
    CommandBook.Pending pending = commands.forService(agent.id(), check.service());
    if (pending != null) {
      pending.waiting().add(check);
      return;
    }
    if (!gate.admit(agent, check, reason, now, out)) {
      return;
    }
    Command command = new Command(commandIds.get(), agent.id(), check.service(), Action.RESTART,
      check.id() + ": " + reason, now, now.plus(commandTtl), epoch);
    commands.add(command, check, now.plus(answerTimeout));
    log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
      .addKeyValue("command", command.id())
      .log("restarting {}: {}", check.service(), reason);
    metrics.commandSent(command.action());
    out.command(command, agent, check, check.id());
    gate.issued(agent, check, now, out);
  }

  /**
   * A result probed before its service's current process started is about the one before: it arrives late (two
   * verticles of the agent raced, or a replay) and must not restart the new process.
   */
  private static boolean aboutAnEarlierProcess(TrackedAgent agent, TrackedCheck check, ProbeResult result) {
    ServiceInfo service = check.service() == null ? null : agent.service(check.service());
    return service != null && service.startedAt() != null && result.time().isBefore(service.startedAt());
  }

  /** While a command runs on its service, whoever sent it, a check's failures are the command's doing. */
  boolean busy(TrackedAgent agent, TrackedCheck check) {
    return check.service() != null
      && (commands.forService(agent.id(), check.service()) != null || agent.commandRunning(check.service()));
  }

  private static void checksOf(TrackedAgent agent, String service, java.util.function.Consumer<TrackedCheck> each) {
    for (TrackedCheck check : agent.checks().values()) {
      if (service.equals(check.service())) {
        each.accept(check);
      }
    }
  }
}
