package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.policy.CheckPhase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * What a person does to an agent: restart, stop or start a service (a command, like the policy's own, one at a time
 * per service), reset a check that gave up, silence or unsilence a check or the whole agent. Each is recorded in
 * history with who asked.
 */
final class OperatorActions {

  private static final Logger log = LoggerFactory.getLogger(OperatorActions.class);

  private final FleetRules rules;
  private final Journal journal;
  private final long epoch;

  OperatorActions(FleetRules rules, Journal journal, long epoch) {
    this.rules = rules;
    this.journal = journal;
    this.epoch = epoch;
  }

  /**
   * Carries out the request on the agent; returns the reply for the asker.
   *
   * @throws OperatorRequest.Refused naming what is wrong: 404 unknown service or check; 409 not possible now
   */
  JsonObject apply(TrackedAgent agent, OperatorRequest request, Instant now, Outcome.Builder out) {
    TrackedCheck check = null;
    if (request.checkId() != null) {
      check = agent.checks().get(request.checkId());
      if (check == null) {
        throw new OperatorRequest.Refused(OperatorRequest.Refused.NOT_FOUND, "agent '" + agent.id()
          + "' has no check '" + request.checkId() + "'");
      }
    }
    JsonObject reply = new JsonObject().put("ok", true).put("action", request.action()).put("agentId", agent.id());
    switch (request.kind()) {
      case RESTART, STOP, START, DUMP -> {
        Command command = rules.operatorCommand(agent, request, now, out);
        reply.put("service", command.service()).put("commandId", command.id());
      }
      case REMEDIATE -> {
        Command command = rules.remediate(agent, check, request.by(), "operator " + request.by()
          + (request.dryRun() ? " (dry run)" : "") + (request.reason() == null ? "" : ": " + request.reason()),
          request.dryRun(), null, now, out);
        reply.put("checkId", check.id()).put("dryRun", request.dryRun()).put("commandId", command.id());
      }
      case RESET -> {
        reset(agent, check, request, now, out.facts());
        reply.put("checkId", check.id());
      }
      case SILENCE, UNSILENCE -> {
        Instant until = silence(agent, check, request, now, out.facts());
        reply.put("checkId", request.checkId()).put("silencedUntil", until == null ? null : until.toString());
      }
    }
    return reply;
  }

  private void reset(TrackedAgent agent, TrackedCheck check, OperatorRequest request, Instant now, Facts facts) {
    if (check.state().phase() != CheckPhase.GAVE_UP) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.CONFLICT, "check '" + check.id()
        + "' has not given up (it is " + check.state().phase().name().toLowerCase() + "); only a check that"
        + " gave up needs a reset");
    }
    String why = request.reason() == null ? "" : ": " + request.reason();
    check.state().reset();
    journal.operatorAction(facts, agent.id(), check.service(), "reset", "reset " + check.id() + why, request.by(),
      now, epoch);
    log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
      .log("{} reset the check{}", request.by(), why);
  }

  /** Silences (or unsilences) the check, or the whole agent when no check is named; returns until when. */
  private Instant silence(TrackedAgent agent, TrackedCheck check, OperatorRequest request, Instant now, Facts facts) {
    String why = request.reason() == null ? "" : ": " + request.reason();
    Instant until = request.kind() == OperatorRequest.Kind.SILENCE ? now.plus(request.duration()) : null;
    if (check != null) {
      check.silencedUntil(until);
    } else {
      agent.silencedUntil(until);
    }
    String target = check == null ? "agent " + agent.id() : check.id();
    journal.silence(facts, new Facts.Silence(agent.id(), request.checkId(), until == null ? now : until,
      request.by(), request.reason(), now));
    journal.operatorAction(facts, agent.id(), check == null ? null : check.service(), request.action(),
      (until == null ? "unsilenced " + target : "silenced " + target + " until " + until) + why, request.by(),
      now, epoch);
    log.atWarn().addKeyValue("agent", agent.id()).addKeyValue("check", request.checkId())
      .log("{} {} {}{}", request.by(), until == null ? "unsilenced" : "silenced until " + until, target, why);
    return until;
  }
}
