package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The coordinator's view of the fleet and the decisions taken on it. Reports go in, commands come out; no I/O, time
 * passed in, so the whole loop can be tested without sockets.
 *
 * <p>Rules kept here, on top of each check's own policy: a check is never acted on while its agent is disconnected;
 * one command at a time per service (a second check wanting the same restart waits on the first); while a command
 * runs, the results of its service's checks are recorded but not judged.
 */
public final class FleetState {

  private static final Logger log = LoggerFactory.getLogger(FleetState.class);

  /** What a batch of reports led to: the acknowledgement for the agent and the commands to send. */
  public record BatchOutcome(ReportAck ack, List<Command> commands) {
  }

  private final Map<String, TrackedAgent> agents = new HashMap<>();
  private final CommandBook commands = new CommandBook();
  private final long epoch;
  private final Duration commandTtl;
  private final Duration answerTimeout;
  private final Supplier<String> commandIds;
  private final Duration lostAfter;
  private final FleetMetrics metrics;
  private final List<FleetEvent> events = new ArrayList<>();
  private AlertRaiser alerts = new AlertRaiser(Duration.ofHours(4), MaintenanceWindows.NONE);
  private final Journal journal = new Journal(() -> alerts);

  public FleetState(long epoch, Duration commandTtl, Duration answerTimeout, Supplier<String> commandIds) {
    this(epoch, commandTtl, answerTimeout, commandIds, Duration.ofSeconds(30), FleetMetrics.NONE);
  }

  public FleetState(long epoch, Duration commandTtl, Duration answerTimeout, Supplier<String> commandIds,
                    Duration lostAfter, FleetMetrics metrics) {
    this.epoch = epoch;
    this.commandTtl = commandTtl;
    this.answerTimeout = answerTimeout;
    this.commandIds = commandIds;
    this.lostAfter = lostAfter;
    this.metrics = metrics;
  }

  /**
   * How alerts are raised: an open incident is alerted again every {@code repeatInterval} (zero: never), and nothing
   * is alerted for what a maintenance window covers.
   */
  public FleetState alerting(Duration repeatInterval, MaintenanceWindows maintenance) {
    alerts = new AlertRaiser(repeatInterval, maintenance);
    return this;
  }

  public long epoch() {
    return epoch;
  }

  public HelloReply hello(AgentHello hello, Instant now) {
    TrackedAgent agent = agents.computeIfAbsent(hello.agentId(), TrackedAgent::new);
    agent.hello(hello);
    heard(agent, now);
    journal.announced(agent, now);
    agent.checks().values().forEach(check -> journal.check(agent, check, now));
    log.atInfo().addKeyValue("agent", hello.agentId()).addKeyValue("host", hello.host())
      .log("agent connected: {} checks, {} services, resuming after report {}", hello.checks().size(),
        hello.services().size(), agent.lastSeq());
    return new HelloReply(epoch, agent.lastSeq());
  }

  public void disconnected(String agentId) {
    TrackedAgent agent = agents.get(agentId);
    if (agent != null && agent.connected()) {
      agent.disconnected();
      log.atWarn().addKeyValue("agent", agentId).log("agent disconnected: its checks are not acted on until it returns");
    }
  }

  /** Takes a batch in sequence order, dropping reports already taken; throws when the agent never said hello. */
  public BatchOutcome reports(ReportBatch batch, Instant now) {
    TrackedAgent agent = agents.get(batch.agentId());
    if (agent == null || !agent.connected()) {
      throw new IllegalStateException("agent '" + batch.agentId() + "' must send its hello before reports");
    }
    heard(agent, now);
    List<Command> out = new ArrayList<>();
    int results = 0;
    int duplicates = 0;
    for (Report report : batch.reports()) {
      if (!agent.accept(report.seq())) {
        duplicates++;
        continue;
      }
      if (report instanceof ProbeResult result) {
        results++;
        onResult(agent, result, Duration.between(result.time(), batch.sentAt()), now, out);
      } else if (report instanceof ProcessEvent event) {
        onProcessEvent(agent, event, now);
      } else if (report instanceof CommandResult result) {
        onCommandResult(agent, result, now);
      }
    }
    journal.changes(agent, now);
    journal.agent(agent, now);
    metrics.ingested(results);
    if (duplicates > 0) {
      metrics.duplicates(duplicates);
    }
    return new BatchOutcome(new ReportAck(agent.lastSeq()), out);
  }

  /** A sign of life with the agent's vitals; ignored from an agent that has not said hello on this connection. */
  public void keepalive(Keepalive keepalive, Instant now) {
    TrackedAgent agent = agents.get(keepalive.agentId());
    if (agent != null && agent.connected()) {
      agent.vitals(keepalive);
      heard(agent, now);
    }
  }

  /** Fleet events raised since the last call (agents lost and back), oldest first. */
  public List<FleetEvent> drainEvents() {
    List<FleetEvent> drained = List.copyOf(events);
    events.clear();
    return drained;
  }

  /** How many checks stand in each state, and how many agents are connected and lost, for gauges. */
  public Map<String, Integer> counts() {
    Map<String, Integer> counts = new HashMap<>();
    for (TrackedAgent agent : agents.values()) {
      counts.merge(agent.connected() ? "agents_connected" : "agents_disconnected", 1, Integer::sum);
      if (agent.lost()) {
        counts.merge("agents_lost", 1, Integer::sum);
      }
      for (TrackedCheck check : agent.checks().values()) {
        counts.merge("state." + TrackedCheck.stateOf(check, agent.reachable()), 1, Integer::sum);
        if (check.incident() != null) {
          counts.merge("incidents_open", 1, Integer::sum);
        }
      }
    }
    counts.put("commands_in_flight", commands.size());
    return counts;
  }

  private void heard(TrackedAgent agent, Instant now) {
    if (agent.heard(now)) {
      log.atInfo().addKeyValue("agent", agent.id()).log("agent is back");
      events.add(new FleetEvent(FleetEvent.Type.AGENT_BACK, agent.id(), now, "heard from again"));
      if (agent.lostAlerted()) {
        agent.lostAlerted(false);
        journal.alert(alerts.agentBack(agent, now));
      }
    }
  }

  /** Time passes: backoff delays and startup deadlines run out, unanswered commands are given up on. */
  public List<Command> tick(Instant now) {
    for (CommandBook.Pending pending : commands.overdue(now)) {
      log.atWarn().addKeyValue("agent", pending.command().agentId()).addKeyValue("command", pending.command().id())
        .log("no answer to {} of {} within {}", pending.command().action(), pending.command().service(),
          answerTimeout);
      metrics.commandLost(pending.command().action(), "unanswered");
      pending.waiting().forEach(check -> check.state().onActionFinished(now, false));
    }
    List<Command> out = new ArrayList<>();
    for (TrackedAgent agent : agents.values()) {
      if (agent.silentSince(now, lostAfter)) {
        log.atError().addKeyValue("agent", agent.id())
          .log("agent lost: nothing heard for {}; its checks are not acted on", lostAfter);
        events.add(new FleetEvent(FleetEvent.Type.AGENT_LOST, agent.id(), now,
          "nothing heard since " + agent.lastSeen()));
        if (alerts.agentAllowed(agent, now)) {
          agent.lostAlerted(true);
          journal.alert(alerts.agentLost(agent, now, "nothing heard for " + lostAfter.toSeconds() + " s"));
        }
      }
      liftExpiredSilences(agent, now);
      if (!agent.reachable()) {
        continue;
      }
      for (TrackedCheck check : agent.checks().values()) {
        if (!busy(agent, check) && !agent.silenced(check, now)) {
          act(agent, check, check.state().onTick(now), now, out);
        }
        journal.repeatDue(agent, check, now);
      }
    }
    agents.values().forEach(agent -> journal.changes(agent, now));
    return out;
  }

  /** What an operator's request led to: the reply for the asker, and the command to send, if any. */
  public record OperatorOutcome(JsonObject reply, List<Command> commands) {
  }

  /**
   * A person's request: restart, stop or start a service (a command, like the policy's own, one at a time per
   * service), reset a check, silence or unsilence a check or an agent. Recorded in history with who asked.
   *
   * @throws OperatorRequest.Refused naming what is wrong: 404 unknown agent, service or check; 409 not possible now
   */
  public OperatorOutcome operate(OperatorRequest request, Instant now) {
    TrackedAgent agent = agents.get(request.agentId());
    if (agent == null) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.NOT_FOUND, "no agent '" + request.agentId() + "'");
    }
    TrackedCheck check = null;
    if (request.checkId() != null) {
      check = agent.checks().get(request.checkId());
      if (check == null) {
        throw new OperatorRequest.Refused(OperatorRequest.Refused.NOT_FOUND, "agent '" + agent.id()
          + "' has no check '" + request.checkId() + "'");
      }
    }
    JsonObject reply = new JsonObject().put("ok", true).put("action", request.action()).put("agentId", agent.id());
    String why = request.reason() == null ? "" : ": " + request.reason();
    switch (request.kind()) {
      case RESTART, STOP, START -> {
        Command command = operatorCommand(agent, request, now);
        return new OperatorOutcome(reply.put("service", command.service()).put("commandId", command.id()),
          List.of(command));
      }
      case RESET -> {
        if (check.state().phase() != dev.kelpie.shared.policy.CheckPhase.GAVE_UP) {
          throw new OperatorRequest.Refused(OperatorRequest.Refused.CONFLICT, "check '" + check.id()
            + "' has not given up (it is " + check.state().phase().name().toLowerCase() + "); only a check that"
            + " gave up needs a reset");
        }
        check.state().reset();
        journal.operatorAction(agent.id(), check.service(), "reset", "reset " + check.id() + why, request.by(), now,
          epoch);
        journal.changes(agent, now);
        log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
          .log("{} reset the check{}", request.by(), why);
        reply.put("checkId", check.id());
      }
      case SILENCE, UNSILENCE -> {
        Instant until = request.kind() == OperatorRequest.Kind.SILENCE ? now.plus(request.duration()) : null;
        if (check != null) {
          check.silencedUntil(until);
        } else {
          agent.silencedUntil(until);
        }
        String target = check == null ? "agent " + agent.id() : check.id();
        journal.silence(new Facts.Silence(agent.id(), request.checkId(), until == null ? now : until, request.by(),
          request.reason(), now));
        journal.operatorAction(agent.id(), check == null ? null : check.service(), request.action(),
          (until == null ? "unsilenced " + target : "silenced " + target + " until " + until) + why, request.by(),
          now, epoch);
        log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", request.checkId())
          .log("{} {} {}{}", request.by(), until == null ? "unsilenced" : "silenced until " + until, target, why);
        reply.put("checkId", request.checkId()).put("silencedUntil", until == null ? null : until.toString());
      }
    }
    return new OperatorOutcome(reply, List.of());
  }

  private Command operatorCommand(TrackedAgent agent, OperatorRequest request, Instant now) {
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
    journal.issued(command, request.by());
    return command;
  }

  private void liftExpiredSilences(TrackedAgent agent, Instant now) {
    if (agent.silencedUntil() != null && !agent.silencedUntil().isAfter(now)) {
      agent.silencedUntil(null);
    }
    for (TrackedCheck check : agent.checks().values()) {
      if (check.silencedUntil() != null && !check.silencedUntil().isAfter(now)) {
        check.silencedUntil(null);
      }
    }
  }

  /**
   * What the dashboard shows that changed since the last call: {@code {time, checks: [...], agents: [...]}} with the
   * changed ones only, as in {@link #snapshot} without the checks' policies; null when nothing changed.
   */
  public JsonObject drainChanges(Instant now) {
    JsonArray changedAgents = new JsonArray();
    JsonArray changedChecks = new JsonArray();
    for (TrackedAgent agent : agents.values()) {
      if (agent.changedSincePublished()) {
        changedAgents.add(agent.toJson());
      }
      for (TrackedCheck check : agent.checks().values()) {
        if (check.changedSincePublished(now, agent.reachable())) {
          changedChecks.add(shown(check.toJson(now, agent.reachable(), false), agent.silenced(check, now)));
        }
      }
    }
    if (changedAgents.isEmpty() && changedChecks.isEmpty()) {
      return null;
    }
    return new JsonObject().put("time", now.toString()).put("checks", changedChecks).put("agents", changedAgents);
  }

  /** Facts to store since the last call. */
  public Facts drainFacts() {
    return journal.drain();
  }

  /**
   * Brings back what the store kept, before any agent connects: each agent's last stored sequence (replays are
   * dropped), its services, each check's policy memory (failures in a row, restart budget, gave-up, backoff) and
   * open incident, and the commands still unanswered (so their results are matched, and nothing is ordered twice
   * for one decision).
   */
  public void restore(Store.Restored restored, Instant now) {
    new Restoration(agents, commands, answerTimeout).apply(restored, now);
    log.info("restored {} agents, {} checks, {} unanswered commands from the store", restored.agents().size(),
      restored.checks().size(), restored.pendingActions().size());
  }

  /**
   * A check as people see it: {@code silenced} (its own silence or its host's) and {@code shownState}, the state the
   * dashboard shows and {@code GET /api/checks?state=} filters by (silenced first, else {@code state}).
   */
  private static JsonObject shown(JsonObject check, boolean silenced) {
    return check.put("silenced", silenced).put("shownState", silenced ? "silenced" : check.getString("state"));
  }

  /** A command could not be handed to its agent: its checks may decide again. */
  public void undelivered(Command command, Instant now, String why) {
    TrackedAgent target = agents.get(command.agentId());
    CommandBook.Pending pending = commands.finish(command.id());
    log.atWarn().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
      .log("could not deliver {} of {}: {}", command.action(), command.service(), why);
    if (pending != null) {
      metrics.commandLost(command.action(), "undelivered");
      pending.waiting().forEach(check -> check.state().onActionFinished(now, false));
    }
    if (target != null) {
      journal.changes(target, now);
    }
  }

  public JsonObject snapshot(Instant now) {
    return snapshot(now, null, true);
  }

  /**
   * Every agent and check, sorted by agent id, or only {@code onlyAgent}'s (empty arrays when it is unknown);
   * without {@code detail}, the checks' policies and the agents' recent events are left out.
   */
  public JsonObject snapshot(Instant now, String onlyAgent, boolean detail) {
    JsonArray agentArray = new JsonArray();
    JsonArray checkArray = new JsonArray();
    agents.values().stream()
      .filter(agent -> onlyAgent == null || agent.id().equals(onlyAgent))
      .sorted((a, b) -> a.id().compareTo(b.id())).forEach(agent -> {
        JsonObject json = agent.toJson();
        agentArray.add(detail ? json : json.put("recentEvents", new JsonArray()));
        agent.checks().values().forEach(check -> checkArray.add(shown(check.toJson(now, agent.reachable(), detail),
          agent.silenced(check, now))));
      });
    return new JsonObject()
      .put("epoch", epoch)
      .put("time", now.toString())
      .put("commandsInFlight", commands.size())
      .put("agents", agentArray)
      .put("checks", checkArray);
  }

  private void onResult(TrackedAgent agent, ProbeResult result, Duration age, Instant now, List<Command> out) {
    TrackedCheck check = agent.checks().get(result.checkId());
    if (check == null) {
      log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", result.checkId())
        .log("result for a check the agent did not announce; ignored");
      return;
    }
    check.seen(result);
    journal.result(result);
    if (busy(agent, check) || aboutAnEarlierProcess(agent, check, result) || agent.silenced(check, now)) {
      return;
    }
    Duration notNegative = age.isNegative() ? Duration.ZERO : age;
    act(agent, check, check.state().onResult(now, result.up(), notNegative), now, out);
  }

  private void onProcessEvent(TrackedAgent agent, ProcessEvent event, Instant now) {
    agent.remember(event);
    agent.countStarts(event);
    journal.event(event);
    if (event.commandId() != null && event.type() == ProcessEventType.SIGNALLED) {
      agent.commandRunning(event.service(), event.commandId());
    }
    ServiceInfo known = agent.service(event.service());
    boolean wanted = known == null || known.wanted();
    switch (event.type()) {
      case STARTED, ADOPTED -> agent.service(new ServiceInfo(event.service(), true, event.pid(), event.time(),
        known == null ? null : known.port()));
      case EXITED, KILLED -> agent.service(new ServiceInfo(event.service(), wanted, null, null,
        known == null ? null : known.port()));
      default -> {
      }
    }
    journal.announced(agent, now);
    if (event.type() == ProcessEventType.STARTED) {
      checksOf(agent, event.service()).forEach(check -> check.state().onStarted(now));
    }
    log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("service", event.service())
      .addKeyValue("command", event.commandId())
      .log("process {} pid {}{}", event.type().name().toLowerCase(), event.pid(),
        event.detail() == null ? "" : ": " + event.detail());
  }

  private void onCommandResult(TrackedAgent agent, CommandResult result, Instant now) {
    if (result.status() == CommandStatus.DUPLICATE) {
      log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("command", result.commandId())
        .log("the agent already had command {}; its first answer stands", result.commandId());
      return;
    }
    CommandBook.Pending pending = commands.finish(result.commandId());
    agent.commandFinished(result.service(), result.commandId());
    journal.answered(result);
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
      checksOf(agent, result.service()).forEach(check -> check.state().onStopped());
    }
  }

  private void act(TrackedAgent agent, TrackedCheck check, Decision decision, Instant now, List<Command> out) {
    if (!decision.isNone()) {
      metrics.decided(decision.kind());
    }
    switch (decision.kind()) {
      case NONE -> {
      }
      case GIVE_UP -> log.atError().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
        .log("gave up on {}: {}; a person must act and reset the check", check.service(), decision.reason());
      case RESTART -> restart(agent, check, decision.reason(), now, out);
    }
  }

  private void restart(TrackedAgent agent, TrackedCheck check, String reason, Instant now, List<Command> out) {
    if (!agent.reachable() || check.service() == null) {
      check.state().onActionFinished(now, false);
      return;
    }
    CommandBook.Pending pending = commands.forService(agent.id(), check.service());
    if (pending != null) {
      pending.waiting().add(check);
      return;
    }
    Command command = new Command(commandIds.get(), agent.id(), check.service(), Action.RESTART,
      check.id() + ": " + reason, now, now.plus(commandTtl), epoch);
    commands.add(command, check, now.plus(answerTimeout));
    log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
      .addKeyValue("command", command.id())
      .log("restarting {}: {}", check.service(), reason);
    metrics.commandSent(command.action());
    journal.issued(command, check.id());
    journal.changes(agent, now);
    if (alerts.allowed(agent, check, now)) {
      journal.alert(alerts.actionTaken(agent, check, command, now));
    }
    out.add(command);
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
  private boolean busy(TrackedAgent agent, TrackedCheck check) {
    return check.service() != null
      && (commands.forService(agent.id(), check.service()) != null || agent.commandRunning(check.service()));
  }

  private List<TrackedCheck> checksOf(TrackedAgent agent, String service) {
    return agent.checks().values().stream().filter(check -> service.equals(check.service())).toList();
  }
}
