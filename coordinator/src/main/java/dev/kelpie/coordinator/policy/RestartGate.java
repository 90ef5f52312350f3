package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.cluster.FleetShare;
import dev.kelpie.coordinator.cluster.PeerShares;
import dev.kelpie.coordinator.config.RulesSettings;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.Decision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The fleet rules: whether a restart a check's policy decided may go now. In this order, a restart is held while a
 * check it depends on fails ("blocked by db"), while a shared cause holds it ({@link CorrelatedFailures}), while its
 * service flaps ({@link FlappingServices}); refused when its service's budget, shared by its checks, is used up; kept
 * waiting while too many restarts run ({@link BlastRadius}); and only recorded ("would have restarted") when its
 * check is in shadow mode. A held restart is withdrawn from the check's policy (budget and backoff given back), so
 * the check decides again on its next failure, and a recovery in between costs nothing. Every hold is explained.
 */
final class RestartGate {

  private static final Logger log = LoggerFactory.getLogger(RestartGate.class);
  private static final int SHADOW_KEPT = 50;
  private static final Set<CheckPhase> FAILED = EnumSet.of(CheckPhase.FAILING, CheckPhase.UNHEALTHY,
    CheckPhase.BACKING_OFF, CheckPhase.ACTING, CheckPhase.GAVE_UP);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  /** Why a check's restart is held now, since when. */
  private record Held(String why, Instant since) {
  }

  private final Map<String, TrackedAgent> agents;
  private final CommandBook commands;
  private final long epoch;
  private final BlastRadius blast;
  private final CorrelatedFailures correlated;
  private final FlappingServices flapping;
  private final Map<TrackedCheck, Held> held = new IdentityHashMap<>();
  private final ServiceBudgets budgets = new ServiceBudgets();
  private final Deque<JsonObject> shadowed = new ArrayDeque<>();
  private final Map<TrackedCheck, String> shadowNoted = new IdentityHashMap<>();
  private PeerShares peers = PeerShares.alone();

  RestartGate(RulesSettings settings, Map<String, TrackedAgent> agents, CommandBook commands, long epoch) {
    this.agents = agents;
    this.commands = commands;
    this.epoch = epoch;
    this.blast = new BlastRadius(settings);
    this.correlated = new CorrelatedFailures(settings.correlated());
    this.flapping = new FlappingServices(settings.flapping());
  }

  static String key(String agentId, String service) {
    return agentId + '\u0000' + service;
  }

  /** Every result counts toward a shared cause; a success ends its check's hold. */
  void observe(TrackedAgent agent, TrackedCheck check, ProbeResult result, Instant now, Outcome.Builder out) {
    CorrelatedFailures.Cause tripped = correlated.observe(agent, check, result.up(), now, agents.values());
    if (tripped != null) {
      tripped(tripped, now, out);
    }
    if (result.up()) {
      held.remove(check);
      shadowNoted.remove(check);
    }
  }

  private void tripped(CorrelatedFailures.Cause tripped, Instant now, Outcome.Builder out) {
    log.atError().addKeyValue("cause", tripped.key()).log("correlated failure: {}; restarts of the checks it"
      + " covers are {}", tripped.summary(), correlated.shadow() ? "not held (shadow mode)" : "held");
    out.facts().alerts.add(RuleAlerts.fleetAlert("correlated_failure", "firing", "critical", tripped.summary()
      + (correlated.shadow() ? " (shadow mode: restarts not held)" : "; their restarts are held until it clears"),
      RuleAlerts.causeJson(tripped), now));
  }

  /** The other coordinators' shares of the fleet's counts (clustered), which every rule adds to its own. */
  void peers(PeerShares shares) {
    peers = shares;
    blast.peers(shares);
    correlated.peers(shares);
  }

  /** This node's share of the fleet's counts, for the other coordinators (node, version, acks added by the caller). */
  FleetShare share(Instant now) {
    blast.prune(this::stillRunning);
    Map<String, Integer> runningIn = new HashMap<>();
    Map<String, Integer> waitingIn = new HashMap<>();
    Map<String, Integer> hostsIn = new HashMap<>();
    blast.share(runningIn, waitingIn, hostsIn, agents.values());
    return new FleetShare(null, blast.version(), Map.of(), blast.running(), runningIn, blast.waiting().size(),
      waitingIn, hostsIn, correlated.share(now, this::reachable, agents.values()));
  }

  /** Grows whenever the restarts running or waiting here change: the other nodes must hear it at once. */
  long shareVersion() {
    return blast.version();
  }

  /** A service started again without a command of ours (it crashed and its agent restarted it): counts as flapping. */
  void processEvent(TrackedAgent agent, ProcessEvent event, Instant now, Outcome.Builder out) {
    if (event.type() == ProcessEventType.STARTED && event.commandId() == null) {
      restarted(agent, event.service(), now, out);
    }
  }

  /**
   * May the restart the check's policy just decided go now? When not, the check's state is already set back (held),
   * given up (refused) or moved on as if restarted (shadow), and the reason is kept to be shown.
   */
  boolean admit(TrackedAgent agent, TrackedCheck check, String reason, Instant now, Outcome.Builder out) {
    String service = check.service();
    String blocked = blockedBy(agent, check);
    if (blocked != null) {
      return hold(check, "blocked by " + blocked + " (a check it depends on is failing)", now);
    }
    CorrelatedFailures.Cause cause = correlated.holding(check);
    if (cause != null && !shadowRule(agent, check, correlated.shadow(), "held: " + cause.summary(), now, out)) {
      return hold(check, "held: " + cause.summary() + " (a shared cause is suspected)", now);
    }
    FlappingServices.Flap flap = flapping.holding(agent.id(), service, now);
    if (flap != null && !shadowRule(agent, check, flapping.shadow(), flap.why(now), now, out)) {
      return hold(check, flap.why(now), now);
    }
    String budget = budgets.usedUp(agent, check, now);
    if (budget != null) {
      held.remove(check);
      Decision refused = check.state().refuse(reason + "; " + budget);
      out.decided(agent, check, refused);
      log.atError().addKeyValue("agent", agent.id()).addKeyValue("check", check.id())
        .log("gave up on {}: {}", service, refused.reason());
      return false;
    }
    BlastRadius.Wait wait = blast.admit(agent, service, now, this::stillRunning, agents.values());
    if (wait != null && !shadowRule(agent, check, wait.shadow(), wait.why(), now, out)) {
      return hold(check, wait.why(), now);
    }
    held.remove(check);
    if (check.spec().rules().shadow()) {
      String what = "would have restarted at " + CLOCK.format(now) + ": " + reason;
      shadow(agent, check, what, now, out);
      check.state().onActionFinished(now, true);
      return false;
    }
    return true;
  }

  /** A command on the service ended (answered, given up on, not delivered): a restart counted as running may not be. */
  void commandEnded(String agentId, String service) {
    blast.commandEnded(agentId, service);
  }

  /** The agent is no longer tracked here (another coordinator owns it). */
  void agentLeft(String agentId) {
    blast.agentLeft(agentId);
  }

  /** The restart went out as a command: it runs until answered, and counts toward its service's budget and flapping. */
  void issued(TrackedAgent agent, TrackedCheck check, Instant now, Outcome.Builder out) {
    blast.started(agent, check.service());
    budgets.restarted(agent, check, now);
    restarted(agent, check.service(), now, out);
  }

  /**
   * Time passes: shared causes whose failures cleared are released, flaps that calmed end, stale waits are dropped.
   * Returns the agents whose flaps calmed (their incidents kept open through the run may close now).
   */
  Set<String> tick(Instant now, Outcome.Builder out) {
    Set<String> calmed = new HashSet<>();
    blast.recount();
    correlated.forgetUnless(this::reachable);
    correlated.reconsider(now, agents.values()).forEach(cause -> tripped(cause, now, out));
    for (CorrelatedFailures.Cause cause : correlated.active()) {
      if (cause.overriddenBy() != null) {
        held.entrySet().removeIf(entry -> entry.getValue().why().startsWith("held: " + cause.name() + " "));
      }
    }
    for (CorrelatedFailures.Cause cause : correlated.cleared()) {
      log.atInfo().addKeyValue("cause", cause.key()).log("correlated failure cleared: {}", cause.name());
      out.facts().alerts.add(RuleAlerts.fleetAlert("correlated_failure", "resolved", "critical", cause.name()
        + " is healthy again on every host; restarts are no longer held", RuleAlerts.causeJson(cause), now));
    }
    for (FlappingServices.Flap flap : flapping.calmed(now)) {
      TrackedAgent agent = agents.get(flap.agentId());
      calmed.add(flap.agentId());
      log.atInfo().addKeyValue("agent", flap.agentId()).log("{} no longer flapping", flap.service());
      out.facts().alerts.add(RuleAlerts.flapAlert("resolved", agent, flap, flap.service() + " on "
        + RuleAlerts.host(agent, flap.agentId())
        + " stopped flapping after " + flap.restarts() + " restarts", now));
    }
    blast.waiting().stream().filter(wait -> !needsRestart(wait.agentId(), wait.service())).toList()
      .forEach(wait -> blast.forget(key(wait.agentId(), wait.service())));
    return calmed;
  }

  /** The shared causes as checks' holds show them: when they change, any failing check's hold may read otherwise. */
  Object causesShown() {
    return correlated.active();
  }

  /** A person lets the restarts a shared cause holds go; recorded with their name. */
  JsonObject release(String causeKey, String by, String reason, Instant now, Outcome.Builder out) {
    CorrelatedFailures.Cause cause = correlated.override(causeKey, by);
    if (cause == null) {
      throw new OperatorRequest.Refused(OperatorRequest.Refused.NOT_FOUND, "no restarts are held by '" + causeKey
        + "'; held now: " + correlated.active().stream().map(CorrelatedFailures.Cause::key).toList());
    }
    held.entrySet().removeIf(entry -> entry.getValue().why().startsWith("held: " + cause.name() + " "));
    String id = UUID.randomUUID().toString();
    out.facts().actions.put(id, new Facts.Action(id, null, null, "release", "released the restarts held by "
      + cause.name() + (reason == null ? "" : ": " + reason), by, now, null, epoch, "done", null, now, 0L));
    log.atWarn().addKeyValue("cause", causeKey).log("{} released the restarts held by {}", by, cause.name());
    return new JsonObject().put("ok", true).put("action", "release").put("cause", causeKey).put("by", by);
  }

  /** A flapping service's incident stays open through its recoveries: one incident for the whole run. */
  boolean keepsIncidentOpen(TrackedAgent agent, TrackedCheck check) {
    return check.service() != null && flapping.flapping(agent.id(), check.service());
  }

  /** Why the check's restart is held now (for people), or null. */
  String hold(TrackedAgent agent, TrackedCheck check) {
    Boolean up = check.lastUp();
    if (up == null || up) {
      return null;
    }
    String blocked = blockedBy(agent, check);
    if (blocked != null) {
      return "blocked by " + blocked;
    }
    Held hold = held.get(check);
    if (hold != null) {
      return hold.why();
    }
    CorrelatedFailures.Cause cause = correlated.holding(check);
    return cause == null || correlated.shadow() ? null : "held: " + cause.summary();
  }

  /** The rules' view for the dashboard: shared causes, flapping services, the waiting line, recent shadow actions. */
  JsonObject summary() {
    JsonArray causes = new JsonArray();
    java.util.Set<String> here = new java.util.HashSet<>();
    correlated.active().forEach(cause -> {
      causes.add(RuleAlerts.causeJson(cause));
      here.add(cause.key());
    });
    for (String key : peers.causes()) {
      FleetShare.Cause elsewhere = peers.cause(key);
      if (elsewhere.since() != null && here.add(key)) {
        causes.add(RuleAlerts.causeJson(new CorrelatedFailures.Cause(key, Instant.parse(elsewhere.since()),
          elsewhere.failing(), elsewhere.hosts(), elsewhere.overriddenBy())));
      }
    }
    JsonArray flaps = new JsonArray();
    flapping.all().forEach(flap -> flaps.add(new JsonObject().put("agentId", flap.agentId())
      .put("service", flap.service()).put("since", flap.since().toString()).put("restarts", flap.restarts())
      .put("notBefore", flap.notBefore().toString())));
    JsonArray waiting = new JsonArray();
    blast.waiting().forEach(wait -> waiting.add(new JsonObject().put("agentId", wait.agentId())
      .put("service", wait.service()).put("since", wait.since().toString()).put("why", wait.why())));
    return new JsonObject().put("restartsRunning", blast.runningInFleet()).put("correlated", causes)
      .put("flapping", flaps).put("waiting", waiting).put("shadow", new JsonArray(shadowed.stream().toList()))
      .put("restartsRunningHere", blast.running()).put("waitingElsewhere", peers.waiting())
      .put("coordinators", peers.nodes() + 1);
  }

  private boolean hold(TrackedCheck check, String why, Instant now) {
    check.state().withdraw();
    Held before = held.get(check);
    if (before == null || !before.why().equals(why)) {
      held.put(check, new Held(why, before == null ? now : before.since()));
      log.atWarn().addKeyValue("check", check.id()).log("restart of {} held: {}", check.service(), why);
    }
    return false;
  }

  /** A rule in shadow mode: what it would have held is recorded once per check, and the restart goes on. */
  private boolean shadowRule(TrackedAgent agent, TrackedCheck check, boolean shadow, String why, Instant now,
                             Outcome.Builder out) {
    if (!shadow) {
      return false;
    }
    if (!why.equals(shadowNoted.put(check, why))) {
      shadow(agent, check, "would have held the restart at " + CLOCK.format(now) + ": " + why, now, out);
    }
    return true;
  }

  private void shadow(TrackedAgent agent, TrackedCheck check, String what, Instant now, Outcome.Builder out) {
    String id = UUID.randomUUID().toString();
    out.facts().actions.put(id, new Facts.Action(id, agent.id(), check.service(), "restart", what,
      "shadow: " + check.id(), now, null, epoch, "shadow", null, now, 0L));
    shadowed.addFirst(new JsonObject().put("agentId", agent.id()).put("checkId", check.id())
      .put("service", check.service()).put("at", now.toString()).put("what", what));
    if (shadowed.size() > SHADOW_KEPT) {
      shadowed.removeLast();
    }
    log.atInfo().addKeyValue("agent", agent.id()).addKeyValue("check", check.id()).log("shadow: {}", what);
  }

  private void restarted(TrackedAgent agent, String service, Instant now, Outcome.Builder out) {
    FlappingServices.Flap flap = flapping.restarted(agent.id(), service, now);
    if (flap != null) {
      log.atError().addKeyValue("agent", agent.id()).log("{} is flapping: {}", service, flap.why(now));
      out.facts().alerts.add(RuleAlerts.flapAlert("firing", agent, flap, service + " on "
        + RuleAlerts.host(agent, agent.id())
        + " is flapping: " + flap.restarts() + " restarts since " + CLOCK.format(flap.since())
        + (flapping.shadow() ? " (shadow mode: restarts not held)" : "; restarts held until "
        + CLOCK.format(flap.notBefore()) + ", then backing off longer each time"), now));
    }
  }

  /** The first check this one depends on that is failing now, or null. */
  private String blockedBy(TrackedAgent agent, TrackedCheck check) {
    for (String dep : check.spec().rules().dependsOn()) {
      int slash = dep.indexOf('/');
      TrackedAgent owner = slash < 0 ? agent : agents.get(dep.substring(0, slash));
      TrackedCheck target = owner == null ? null : owner.checks().get(slash < 0 ? dep : dep.substring(slash + 1));
      if (target != null && failing(target)) {
        return dep;
      }
    }
    return null;
  }

  private static boolean failing(TrackedCheck check) {
    return Boolean.FALSE.equals(check.lastUp()) || FAILED.contains(check.state().phase());
  }

  private boolean reachable(String agentId) {
    TrackedAgent agent = agents.get(agentId);
    return agent != null && agent.reachable();
  }

  private boolean stillRunning(String agentId, String service) {
    TrackedAgent agent = agents.get(agentId);
    return commands.forService(agentId, service) != null || (agent != null && agent.commandRunning(service));
  }

  private boolean needsRestart(String agentId, String service) {
    TrackedAgent agent = agents.get(agentId);
    return agent != null && agent.reachable() && agent.checks().values().stream()
      .anyMatch(check -> service.equals(check.service()) && failing(check));
  }
}
