package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.config.MaintenanceWindows;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
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
import dev.kelpie.shared.rules.AgentClock;
import dev.kelpie.shared.rules.Limits;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The coordinator's view of the fleet. Each input (a hello, a report batch, a keepalive, a disconnection, an
 * undelivered command, an operator's request, a tick) returns one {@link Outcome}: no I/O, time passed in, so the
 * whole loop can be tested without sockets. Each input goes the same way: the rules decide ({@link FleetRules}), the
 * journal turns what changed into facts ({@link Journal}), the alerts are raised from what the journal saw
 * ({@link AlertRaiser}); on a tick, the dashboard's changes are added ({@link Dashboard}).
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
  private final OperatorActions operator;
  private AlertRaiser alerts = new AlertRaiser(Duration.ofHours(4), MaintenanceWindows.NONE);

  public FleetState(long epoch, Duration commandTtl, Duration answerTimeout, Supplier<String> commandIds,
                    Duration lostAfter, FleetMetrics metrics) {
    this.epoch = epoch;
    this.answerTimeout = answerTimeout;
    this.lostAfter = lostAfter;
    this.metrics = metrics;
    this.rules = new FleetRules(commands, epoch, commandTtl, answerTimeout, commandIds, metrics);
    this.operator = new OperatorActions(rules, journal, epoch);
  }

  /**
   * How alerts are raised: an open incident is alerted again every {@code repeatInterval} (zero: never), and nothing
   * is alerted for what a maintenance window covers.
   */
  public FleetState alerting(Duration repeatInterval, MaintenanceWindows maintenance) {
    alerts = alerts.with(repeatInterval, maintenance);
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
    log.info("restored {} agents, {} checks, {} unanswered commands from the store", restored.agents().size(),
      restored.checks().size(), restored.pendingActions().size());
  }

  public Outcome<HelloReply> hello(AgentHello hello, Instant now) {
    Outcome.Builder out = new Outcome.Builder();
    TrackedAgent agent = agents.computeIfAbsent(hello.agentId(), TrackedAgent::new);
    List<TrackedCheck> before = List.copyOf(agent.checks().values());
    agent.hello(hello);
    before.stream().filter(check -> agent.checks().get(check.id()) != check).forEach(gone -> {
      journal.forget(gone);
      dashboard.forget(gone);
    });
    heard(agent, now, out);
    journal.announced(out.facts(), agent, now);
    agent.checks().values().forEach(check -> journal.check(out.facts(), agent, check, now));
    log.atInfo().addKeyValue("agent", hello.agentId()).addKeyValue("host", hello.host())
      .log("agent connected: {} checks, {} services, resuming after report {}", hello.checks().size(),
        hello.services().size(), agent.lastSeq());
    return out.build(new HelloReply(epoch, agent.lastSeq()));
  }

  public Outcome<Void> disconnected(String agentId) {
    TrackedAgent agent = agents.get(agentId);
    if (agent != null && agent.connected()) {
      agent.disconnected();
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
    heard(agent, now, out);
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
        rules.result(agent, check, result, Duration.between(result.time(), batch.sentAt()), now, out);
      } else if (report instanceof ProcessEvent event) {
        journal.event(facts, event);
        rules.processEvent(agent, event, now);
        journal.announced(facts, agent, now);
      } else if (report instanceof CommandResult result && rules.commandResult(agent, result, now)) {
        journal.answered(facts, result);
      }
    }
    if (!batch.reports().isEmpty()) {
      agent.taken(now);
    }
    settle(agent, now, out);
    journal.agent(facts, agent, now);
    metrics.ingested(results);
    if (duplicates > 0) {
      metrics.duplicates(duplicates);
    }
    return out.build(new ReportAck(agent.lastSeq()));
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
    }
    return out.build(null);
  }

  /**
   * Time passes: backoff delays and startup deadlines run out, unanswered commands are given up on, silent agents
   * are lost, silences end, open incidents are alerted again; the dashboard's changes come with it.
   */
  public Outcome<Void> tick(Instant now) {
    Outcome.Builder out = new Outcome.Builder();
    rules.overdue(now);
    for (TrackedAgent agent : agents.values()) {
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
    out.changes(dashboard.changes(agents.values(), now));
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
    return out.build(reply);
  }

  /** A command could not be handed to its agent: its checks may decide again. */
  public Outcome<Void> undelivered(Command command, Instant now, String why) {
    Outcome.Builder out = new Outcome.Builder();
    rules.undelivered(command, now, why);
    TrackedAgent target = agents.get(command.agentId());
    if (target != null) {
      settle(target, now, out);
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

  /** How many checks stand in each state, and how many agents are connected and lost, for gauges. */
  public Map<String, Integer> counts() {
    Map<String, Integer> counts = new HashMap<>();
    for (TrackedAgent agent : agents.values()) {
      counts.merge(agent.connected() ? "agents_connected" : "agents_disconnected", 1, Integer::sum);
      if (agent.lost()) {
        counts.merge("agents_lost", 1, Integer::sum);
      }
      for (TrackedCheck check : agent.checks().values()) {
        counts.merge("state." + Dashboard.state(agent, check), 1, Integer::sum);
        if (journal.incident(check) != null) {
          counts.merge("incidents_open", 1, Integer::sum);
        }
      }
    }
    counts.put("commands_in_flight", commands.size());
    return counts;
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

  private void heard(TrackedAgent agent, Instant now, Outcome.Builder out) {
    if (agent.heard(now)) {
      log.atInfo().addKeyValue("agent", agent.id()).log("agent is back");
      out.event(new FleetEvent(FleetEvent.Type.AGENT_BACK, agent.id(), now, "heard from again"));
      alerts.agentBack(out.facts().alerts, agent, now);
    }
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
