package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.cluster.FleetShare;
import dev.kelpie.coordinator.cluster.PeerShares;
import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.config.RulesSettings;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.rules.AgentClock;
import dev.kelpie.shared.rules.Limits;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The coordinator's view of the fleet. Each input (a hello, a report batch, a keepalive, a disconnection, an
 * undelivered command, an operator's request, a tick) returns one {@link Outcome}: no I/O, time passed in, so the
 * whole loop can be tested without sockets. Each input goes the same way: the rules decide ({@link FleetRules}), the
 * journal turns what changed into facts ({@link Journal}), the alerts are raised from what the journal saw
 * ({@link AlertRaiser}); on a tick, the dashboard's changes are added ({@link Dashboard}). Every input tells the
 * {@link TickSchedule} which agent it changed, so that a tick need not look at the whole fleet.
 */
public final class FleetState {

  private static final Logger log = LoggerFactory.getLogger(FleetState.class);

  private final Map<String, TrackedAgent> agents = new HashMap<>();
  private final CommandBook commands = new CommandBook();
  private final long epoch;
  private final Duration answerTimeout;
  private final Duration lostAfter;
  private final FleetMetrics metrics;
  private final FleetRules rules;
  private final Journal journal = new Journal();
  private final Dashboard dashboard = new Dashboard(journal);
  private final FleetLevels levels = new FleetLevels(journal);
  private final OperatorActions operator;
  private RestartGate gate;
  private PeerShares peers = PeerShares.alone();
  private AlertRaiser alerts = new AlertRaiser(Duration.ofHours(4), MaintenanceWindows.NONE);
  private final Deadlines deadlines;
  private final TickSchedule schedule;

  public FleetState(long epoch, Duration commandTtl, Duration answerTimeout, Supplier<String> commandIds,
                    Duration lostAfter, FleetMetrics metrics) {
    this.epoch = epoch;
    this.answerTimeout = answerTimeout;
    this.lostAfter = lostAfter;
    this.metrics = metrics;
    this.rules = new FleetRules(commands, epoch, commandTtl, answerTimeout, commandIds, metrics);
    this.operator = new OperatorActions(rules, journal, epoch);
    this.deadlines = new Deadlines(lostAfter, rules, journal, alerts);
    this.schedule = new TickSchedule(deadlines::next);
    rules(RulesSettings.NONE);
  }

  /** The fleet rules (blast radius, correlated failures, flapping) a restart passes before it goes; off by default. */
  public FleetState rules(RulesSettings settings) {
    gate = new RestartGate(settings, agents, commands, epoch);
    gate.peers(peers);
    rules.gate(gate);
    dashboard.gate(gate);
    journal.keepOpenWhile(gate::keepsIncidentOpen);
    agents.values().forEach(schedule::settle);
    return this;
  }

  /** The other clustered coordinators' shares of the fleet's counts, which the fleet rules add to this node's. */
  public FleetState peers(PeerShares shares) {
    peers = shares;
    gate.peers(shares);
    return this;
  }

  /** This node's share of the fleet's counts, for the other coordinators (without its node, version and acks). */
  public FleetShare share(Instant now) {
    return gate.share(now);
  }

  /** Grows whenever this node's restarts running or waiting change: its share must go out at once. */
  public long shareVersion() {
    return gate.shareVersion();
  }

  /**
   * A person lets the restarts held by a suspected shared cause ({@code check:db}, {@code target:10.0.0.5}) go.
   *
   * @throws OperatorRequest.Refused 404 when nothing is held by that cause
   */
  public Outcome<JsonObject> releaseHold(String cause, String by, String reason, Instant now) {
    Outcome.Builder out = new Outcome.Builder();
    JsonObject released = gate.release(cause, by, reason, now, out);
    schedule.showAll(agents.values());
    return out.build(released);
  }

  /**
   * How alerts are raised: an open incident is alerted again every {@code repeatInterval} (zero: never), and nothing
   * is alerted for what a maintenance window covers.
   */
  public FleetState alerting(Duration repeatInterval, MaintenanceWindows maintenance) {
    alerts = alerts.with(repeatInterval, maintenance);
    deadlines.alerts(alerts);
    schedule.everyoneAt(Instant.MIN);   // the repeats' moments moved: the next tick goes over every agent
    return this;
  }

  public long epoch() {
    return epoch;
  }

  /**
   * Brings back what the store kept, before any agent connects: each agent's last stored sequence (replays are
   * dropped), its services, each check's policy memory (failures in a row, restart budget, gave-up, backoff) and
   * open incident, and the commands still unanswered (so their results are matched, and nothing is ordered twice
   * for one decision).
   */
  public void restore(Store.Restored restored, Instant now) {
    new Restoration(agents, commands, answerTimeout, journal, alerts).apply(restored, now);
    agents.values().forEach(this::restored);
    log.info("restored {} agents, {} checks, {} unanswered commands from the store", restored.agents().size(),
      restored.checks().size(), restored.pendingActions().size());
  }

  /**
   * Takes an agent over from another coordinator: what this one remembered of it is dropped and what the store kept
   * ({@code restored}, that agent's part) is brought back, as {@link #restore} does at start. One that the other
   * coordinator called lost, and alerted, and that was not heard of since, is taken over lost: one outage is alerted
   * once, and the agent's return is alerted from here.
   */
  public void adopt(String agentId, Store.Restored restored, Instant now) {
    handedOver(agentId);
    new Restoration(agents, commands, answerTimeout, journal, alerts).apply(restored, now);
    restored(agents.get(agentId));
    takeOverLost(agentId, restored);
    log.atInfo().addKeyValue("agent", agentId).log("agent taken over: {} checks, {} unanswered commands restored",
      restored.checks().size(), restored.pendingActions().size());
  }

  /**
   * Adopts an orphan: an agent whose coordinator died with it. As {@link #adopt}, and silent since the store last heard
   * of it, so the ticks call it lost once that silence is longer than lostAfter (no one else would), unless the dead
   * coordinator had called it lost already (see {@link #adopt}).
   */
  public void adoptOrphan(String agentId, Store.Restored restored, Instant now) {
    adopt(agentId, restored, now);
    TrackedAgent agent = agents.get(agentId);
    Facts.AgentRecord record = restored.agents().get(agentId);
    if (agent != null && record != null) {
      agent.lastKnown(record.host(), record.version(), record.lastSeen() == null ? now : record.lastSeen());
    } else if (agent != null) {
      agent.lastKnown(null, null, now);
    }
  }

  /** The agent's last alert said it was lost, and it was not heard of since: it is still lost, and alerted so. */
  private void takeOverLost(String agentId, Store.Restored restored) {
    TrackedAgent agent = agents.get(agentId);
    Instant lostAlerted = restored.lostAlerted().get(agentId);
    Facts.AgentRecord record = restored.agents().get(agentId);
    if (agent == null || lostAlerted == null
      || record != null && record.lastSeen() != null && record.lastSeen().isAfter(lostAlerted)) {
      return;
    }
    agent.lostBefore();
    alerts.lostAlertedBefore(agentId);
    log.atInfo().addKeyValue("agent", agentId).log("taken over lost: another coordinator called it lost at {} and "
      + "alerted it; its return is alerted from here", lostAlerted);
  }

  /** Another coordinator owns the agent now: this one forgets it (its checks, its commands), and decides nothing. */
  public void handedOver(String agentId) {
    TrackedAgent agent = agents.remove(agentId);
    if (agent != null) {
      schedule.forget(agent);
      levels.forget(agent);
      dashboard.forget(agent);
      agent.checks().values().forEach(check -> {
        journal.forget(check);
        dashboard.forget(check);
      });
    }
    commands.forgetAgent(agentId);
    gate.agentLeft(agentId);
  }

  /** Whether this coordinator tracks the agent. */
  public boolean knows(String agentId) {
    return agents.containsKey(agentId);
  }

  /** The agents tracked here that are not connected (for a clustered coordinator: maybe owned elsewhere). */
  public List<String> disconnectedAgents() {
    return agents.values().stream().filter(agent -> !agent.connected()).map(TrackedAgent::id).toList();
  }

  public Outcome<HelloReply> hello(AgentHello hello, Instant now) {
    Outcome.Builder out = new Outcome.Builder();
    TrackedAgent agent = agents.computeIfAbsent(hello.agentId(), TrackedAgent::new);
    List<TrackedCheck> before = List.copyOf(agent.checks().values());
    agent.hello(hello);
    hello.memory().forEach((checkId, memory) -> {
      TrackedCheck check = agent.checks().get(checkId);
      if (check != null) {
        List<Instant> known = check.state().memory(now).restarts();
        check.restore(memory);   // the agent decided alone: its memory is the newer one, budget and gave-up included
        journal.handedBack(check, memory.restarts().stream().filter(at -> !known.contains(at)).min(Instant::compareTo)
          .orElse(now));
      }
    });
    before.stream().filter(check -> agent.checks().get(check.id()) != check).forEach(gone -> {
      journal.forget(gone);
      dashboard.forget(gone);
    });
    heard(agent, now, out);
    journal.announced(out.facts(), agent, now);
    if (!hello.memory().isEmpty()) {
      settle(agent, now, out);   // what the agent decided alone is journaled (and alerted) before its replay
    }
    agent.checks().values().forEach(check -> journal.announcedCheck(out.facts(), agent, check, now));
    schedule.announced(agent);
    schedule.settle(agent);
    schedule.changed(agent, now);
    log.atInfo().addKeyValue("agent", hello.agentId()).addKeyValue("host", hello.host())
      .log("agent connected: {} checks, {} services, resuming after report {}", hello.checks().size(),
        hello.services().size(), agent.lastSeq());
    return out.build(new HelloReply(epoch, agent.lastSeq(), memory(agent, agent.checks().keySet(), now)));
  }

  public Outcome<Void> disconnected(String agentId) {
    TrackedAgent agent = agents.get(agentId);
    if (agent != null && agent.connected()) {
      agent.disconnected();
      schedule.show(agent);
      log.atWarn().addKeyValue("agent", agentId).log("agent disconnected: its checks are not acted on until it returns");
    }
    return new Outcome.Builder().build(null);
  }

  /**
   * Takes a batch in sequence order, dropping reports already taken.
   *
   * @throws NoHello when the agent has not said hello on its current connection
   * @throws ReportsRefused when a sequence number runs too far ahead of the last one taken
   */
  public Outcome<ReportAck> reports(ReportBatch received, Instant now) {
    TrackedAgent agent = agents.get(received.agentId());
    if (agent == null || !agent.connected()) {
      throw new NoHello(received.agentId());
    }
    Optional<String> refused = agent.sequenceProblem(received.reports(), now);
    if (refused.isPresent()) {
      throw new ReportsRefused(received.agentId(), refused.get());
    }
    ReportBatch batch = clock(agent, received, now);
    Outcome.Builder out = new Outcome.Builder();
    Facts facts = out.facts();
    boolean quiet = !heard(agent, now, out);
    if (received.vitals() != null) {
      agent.vitals(AgentClock.take(received.vitals(), now));   // a keepalive riding the batch
    }
    int results = 0;
    int duplicates = 0;
    for (Report report : batch.reports()) {
      if (!agent.accept(report.seq())) {
        duplicates++;
      } else if (report instanceof ProbeResult result) {
        results++;
        TrackedCheck check = agent.checks().get(result.checkId());
        if (check == null) {
          log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", result.checkId())
            .log("result for a check the agent did not announce; ignored");
          continue;
        }
        journal.result(facts, result);
        Boolean upBefore = check.lastUp();
        if (judged(agent, report)) {
          rules.result(agent, check, result, Duration.between(result.time(), batch.sentAt()), now, out);
        } else {
          check.seen(result);
        }
        quiet &= Objects.equals(upBefore, check.lastUp());
      } else if (report instanceof ProcessEvent event) {
        quiet = false;
        journal.event(facts, event);
        rules.processEvent(agent, event, now, judged(agent, report));
        gate.processEvent(agent, event, now, out);
        journal.announced(facts, agent, now);
      } else if (report instanceof CommandResult result && result.local() != null) {
        quiet = false;
        decidedByTheAgent(agent, result, judged(agent, report), now, out);
      } else if (report instanceof CommandResult result) {
        quiet = false;
        if (rules.commandResult(agent, result, now)) {
          journal.answered(facts, result);
          alerts.actionEvidence(facts.alerts, agent, result, now);
        }
      }
    }
    if (!batch.reports().isEmpty()) {
      agent.taken(now);
    }
    settle(agent, now, out);
    // the journal writes a check whose phase, failures or incident moved: with none written, no last outcome turned
    // and the agent not back, nothing the dashboard compares changed (what time alone changes has its own moment)
    if (quiet && facts.checks.isEmpty()) {
      schedule.heard(agent, now);
    } else {
      schedule.changed(agent, now);
    }
    journal.agent(facts, agent, now);
    metrics.ingested(results);
    if (duplicates > 0) {
      metrics.duplicates(duplicates);
    }
    return out.build(new ReportAck(agent.lastSeq(), memory(agent, journal.journaledChecks(facts, agent), now)));
  }

  /** The batch with times safe to keep ({@link AgentClock}); an agent's clock going off the window, or back, is noted. */
  private static ReportBatch clock(TrackedAgent agent, ReportBatch batch, Instant now) {
    AgentClock.Taken taken = AgentClock.take(batch, now);
    if (agent.clockSkew(taken.skew(), taken.skewed())) {
      if (taken.skewed()) {
        log.atWarn().addKeyValue("agent", agent.id()).log("the agent's clock is {} ms off the coordinator's (more than"
          + " {}): its reports are kept at the coordinator's receipt time", taken.skew().toMillis(), Limits.MAX_SKEW);
      } else {
        log.atInfo().addKeyValue("agent", agent.id()).log("the agent's clock agrees with the coordinator's again");
      }
    }
    return taken.batch();
  }

  /** A sign of life with the agent's vitals; ignored from an agent that has not said hello on this connection. */
  public Outcome<Void> keepalive(Keepalive keepalive, Instant now) {
    Outcome.Builder out = new Outcome.Builder();
    TrackedAgent agent = agents.get(keepalive.agentId());
    if (agent != null && agent.connected()) {
      agent.vitals(AgentClock.take(keepalive, now));
      heard(agent, now, out);
      schedule.changed(agent, now);
    }
    return out.build(null);
  }

  /**
   * Time passes: backoff delays and startup deadlines run out, unanswered commands are given up on, silent agents
   * are lost, silences end, open incidents are alerted again; the dashboard's changes come with it. Only the agents
   * whose next moment came, or that an input left to settle, are gone over, and only those that may have changed are
   * compared with what was last shown ({@link TickSchedule}): a quiet fleet costs a tick nothing, however large.
   */
  public Outcome<Void> tick(Instant now) {
    Outcome.Builder out = new Outcome.Builder();
    rules.overdue(now).forEach(overdue -> schedule.settle(agents.get(overdue.command().agentId())));
    gate.tick(now, out).forEach(calmed -> schedule.settle(agents.get(calmed)));
    schedule.causes(gate.causesShown(), agents.values());
    List<TrackedAgent> due = schedule.due(now, agents.values());
    for (TrackedAgent agent : due) {
      if (agent.silentSince(now, lostAfter)) {
        log.atError().addKeyValue("agent", agent.id())
          .log("agent lost: nothing heard for {}; its checks are not acted on", lostAfter);
        out.event(new FleetEvent(FleetEvent.Type.AGENT_LOST, agent.id(), now, "nothing heard since " + agent.lastSeen()));
        alerts.agentLost(out.facts().alerts, agent, now, "nothing heard for " + lostAfter.toSeconds() + " s");
      }
      liftExpiredSilences(agent, now);
      if (agent.reachable()) {
        rules.tick(agent, now, out);
      }
      settle(agent, now, out);
      if (agent.reachable()) {
        agent.checks().values().forEach(check ->
          alerts.repeatIfDue(out.facts().alerts, agent, check, journal.incident(check), now));
      }
    }
    due.forEach(agent -> schedule.changed(agent, now));
    schedule.everyoneAt(alerts.nextMaintenanceChange(now));
    Collection<TrackedAgent> shown = schedule.shown();
    shown.forEach(levels::recount);
    out.changes(dashboard.changes(shown, now));
    return out.build(null);
  }

  /**
   * A person's request: restart, stop or start a service (a command, like the policy's own, one at a time per
   * service), reset a check, silence or unsilence a check or an agent. Recorded in history with who asked; the reply
   * is the JSON the asker gets.
   *
   * @throws OperatorRequest.Refused naming what is wrong: 404 unknown agent, service or check; 409 not possible now
   */
  public Outcome<JsonObject> operate(OperatorRequest request, Instant now) {
    TrackedAgent agent = agents.get(request.agentId());
    if (agent == null) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.NOT_FOUND, "no agent '" + request.agentId() + "'");
    }
    Outcome.Builder out = new Outcome.Builder();
    JsonObject reply = operator.apply(agent, request, now, out);
    settle(agent, now, out);
    schedule.changed(agent, now);
    return out.build(reply);
  }

  /**
   * The coordinator noticed it was paused for {@code gap} (stopped, swapped out, a long GC): nothing was heard in
   * that time because it was not listening, so every agent gets a full {@code lostAfter} from now before it is
   * called lost.
   */
  public void pausedFor(Duration gap, Instant now) {
    log.warn("the coordinator itself was paused for {} ms; agents get {} s from now to be heard before any is "
      + "called lost", gap.toMillis(), lostAfter.toSeconds());
    agents.values().forEach(agent -> agent.excuseSilenceUntil(now));
  }

  /**
   * A command that was never sent because its record was not durable before it expired: recorded as answered
   * "unsent" (so its action row is complete), and its checks may decide again.
   */
  public Outcome<Void> unsent(Command command, Instant now, String why) {
    Outcome<Void> outcome = undelivered(command, now, why);
    outcome.facts().actions.merge(command.id(), new Facts.Action(command.id(), command.agentId(), command.service(),
      command.action().name().toLowerCase(Locale.ROOT), null, null, null, null, 0, "unsent", why, now, 0L),
      Facts::mergeAction);
    return outcome;
  }

  /**
   * Commands of an earlier epoch still waiting for their answer, to hand to their agent again when it says hello: the
   * coordinator that issued them may have died before or after sending them. Stamped with this epoch (the agent
   * refuses older ones) under the same id, so an agent that already ran one answers "duplicate" and runs nothing.
   */
  public List<Command> unansweredFromEarlierEpochs(String agentId, Instant now) {
    return commands.ofAgent(agentId).stream()
      .filter(command -> command.epoch() < epoch && !command.expiredAt(now))
      .filter(command -> !actedAlone(agentId, command) && command.action() != Action.REMEDIATE)
      .map(command -> command.withEpoch(epoch))
      .toList();
  }

  /**
   * Remediations of an earlier epoch still unanswered: never handed over again, since whether one was a dry run is
   * not in its record, and a dry run sent again as a real one would change rows no one agreed to change. The caller
   * records each as {@link #unsent}; a policy's remediation is decided again while its check still fails.
   */
  public List<Command> remediationsFromEarlierEpochs(String agentId) {
    return commands.ofAgent(agentId).stream()
      .filter(command -> command.epoch() < epoch && command.action() == Action.REMEDIATE)
      .toList();
  }

  /**
   * Commands of an earlier epoch, still unanswered, for a service the agent restarted itself while no coordinator was
   * there (its hello handed that memory back): never to be sent now, or the service would be restarted twice. The
   * caller records each as {@link #unsent}.
   */
  public List<Command> supersededByTheAgent(String agentId, Instant now) {
    return commands.ofAgent(agentId).stream()
      .filter(command -> command.epoch() < epoch && actedAlone(agentId, command))
      .toList();
  }

  private boolean actedAlone(String agentId, Command command) {
    TrackedAgent agent = agents.get(agentId);
    return agent != null && agent.actedAlone().contains(command.service());
  }

  /** A command could not be handed to its agent: its checks may decide again. */
  public Outcome<Void> undelivered(Command command, Instant now, String why) {
    Outcome.Builder out = new Outcome.Builder();
    rules.undelivered(command, now, why);
    TrackedAgent target = agents.get(command.agentId());
    if (target != null) {
      settle(target, now, out);
      schedule.changed(target, now);
    }
    return out.build(null);
  }

  /**
   * Every agent and check, sorted by agent id, or only {@code onlyAgent}'s (empty arrays when it is unknown);
   * without {@code detail}, the checks' policies and the agents' recent events are left out.
   */
  public JsonObject snapshot(Instant now, String onlyAgent, boolean detail) {
    return dashboard.snapshot(agents.values(), epoch, commands.size(), now, onlyAgent, detail);
  }

  /**
   * How many checks stand in each state, how many incidents are open, how many agents are connected and lost, for
   * gauges. Kept up to date as agents change ({@link FleetLevels}): only the agents changed since the last tick are
   * counted again here.
   */
  public Map<String, Integer> counts() {
    schedule.pending(levels::recount);
    Map<String, Integer> counts = levels.counts();
    counts.put("commands_in_flight", commands.size());
    return counts;
  }

  /** An agent brought back from the store: the next tick goes over it, as over one that just said hello. */
  private void restored(TrackedAgent agent) {
    if (agent != null) {
      schedule.announced(agent);
      schedule.settle(agent);
    }
  }

  /** How many agents the last tick went over, and how many its changes compared: what a tick cost (for tests). */
  int[] lastTickWork() {
    return new int[] {schedule.ticked(), schedule.compared()};
  }

  /** After the rules: the journal writes what changed, then the alerts follow what it saw and what was ordered. */
  private void settle(TrackedAgent agent, Instant now, Outcome.Builder out) {
    Facts facts = out.facts();
    alerts.incidents(facts.alerts, agent, journal.changes(facts, agent, now), now);
    for (Outcome.Builder.Issued issued : out.takeIssued()) {
      journal.issued(facts, issued.command(), issued.issuedBy(), issued.check() != null);
      if (issued.check() != null) {
        alerts.actionTaken(facts.alerts, issued.agent(), issued.check(), journal.incident(issued.check()),
          issued.command(), now);
      }
    }
  }

  /** The agent judged the reports up to its hello's {@code decidedUpTo} itself: they are recorded, not judged again. */
  private static boolean judged(TrackedAgent agent, Report report) {
    return report.seq() > agent.decidedUpTo();
  }

  /**
   * A restart the agent decided and ran alone: recorded once (by its sequence number) as an action, with the incident
   * it belongs to and a late action alert. Its budget came with the hello's memory and is not spent again.
   */
  private void decidedByTheAgent(TrackedAgent agent, CommandResult result, boolean judged, Instant now,
                                 Outcome.Builder out) {
    TrackedCheck check = agent.checks().get(result.local().checkId());
    rules.localActionFinished(agent, check, result, judged, now);
    journal.decidedByTheAgent(out.facts(), agent, check, result);
    if (check != null) {
      alerts.actionTakenByTheAgent(out.facts().alerts, agent, check, journal.incident(check), result, now);
    }
  }

  /** The policy memory of {@code checkIds}, handed to the agent so that, left alone, it goes on with one budget. */
  private static Map<String, CheckMemory> memory(TrackedAgent agent, java.util.Collection<String> checkIds,
                                                 Instant now) {
    Map<String, CheckMemory> memory = new HashMap<>();
    for (String id : checkIds) {
      TrackedCheck check = agent.checks().get(id);
      if (check != null) {
        memory.put(id, check.state().memory(now));
      }
    }
    return memory;
  }

  /** Whether the agent is back: it was lost, and is heard from again. */
  private boolean heard(TrackedAgent agent, Instant now, Outcome.Builder out) {
    if (agent.heard(now)) {
      log.atInfo().addKeyValue("agent", agent.id()).log("agent is back");
      out.event(new FleetEvent(FleetEvent.Type.AGENT_BACK, agent.id(), now, "heard from again"));
      alerts.agentBack(out.facts().alerts, agent, now);
      return true;
    }
    return false;
  }

  private static void liftExpiredSilences(TrackedAgent agent, Instant now) {
    if (agent.silencedUntil() != null && !agent.silencedUntil().isAfter(now)) {
      agent.silencedUntil(null);
    }
    for (TrackedCheck check : agent.checks().values()) {
      if (check.silencedUntil() != null && !check.silencedUntil().isAfter(now)) {
        check.silencedUntil(null);
      }
    }
  }
}
