package dev.kelpie.agent.autonomy;

import dev.kelpie.agent.config.AgentConfig.CheckConfig;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.CheckState;
import dev.kelpie.shared.policy.Decision;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The agent on its own: while no coordinator is in charge (from the start until a hello is answered, and from the
 * moment the link is known down), it runs each check's policy, the same {@link CheckState} the coordinator runs, with
 * the memory the coordinator last handed over, and carries out the restarts it decides through the supervisor. Each
 * restart's answer is a numbered report like any other, marked as the agent's own decision, so the coordinator
 * merges it on its return. Fleet-wide rules exist only at the coordinator: alone, a host applies its own checks'
 * budgets and nothing else. The memory is kept on disk, so a host rebooted during an outage keeps its budget.
 */
public final class AutonomyVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AutonomyVerticle.class);
  private static final long TICK_MILLIS = 100;
  private static final Duration LOCAL_COMMAND_TTL = Duration.ofMinutes(10);
  private static final DeliveryOptions AS_THE_AGENT = new DeliveryOptions()
    .addHeader(Addresses.LOCAL_COMMAND_ORIGIN, "agent").setSendTimeout(600_000);

  private record Watched(String id, String service, CheckState state) {
  }

  private final String agentId;
  private final Clock clock;
  private final PolicyMemoryFile file;
  private final Map<String, Watched> checks = new LinkedHashMap<>();
  /** Services with a restart of the agent's own running, and the checks waiting on it. */
  private final Map<String, List<Watched>> restarting = new HashMap<>();
  /** Checks the agent acted on since it last handed its decisions over. */
  private final Set<String> decided = new LinkedHashSet<>();
  private boolean alone = true;
  private boolean writing;
  private boolean writeAgain;
  private long ticker;

  public AutonomyVerticle(String agentId, List<CheckConfig> checks, Path stateDir, Clock clock) {
    this.agentId = agentId;
    this.clock = clock;
    this.file = new PolicyMemoryFile(stateDir);
    // a check that remediates on failure never restarts its service; alone, the agent leaves remediation to later
    checks.forEach(check -> this.checks.put(check.id(), new Watched(check.id(),
      check.rules().remediate() ? null : check.service(), new CheckState(check.policy()))));
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(file::read)
      .recover(failure -> {
        log.atWarn().addKeyValue("agent", agentId).log("policy memory not readable ({}); starting afresh",
          failure.getMessage());
        return Future.succeededFuture(new PolicyMemoryFile.Kept(Map.of(), Set.of()));
      })
      .compose(kept -> {
        restore(kept.memory());
        kept.decided().stream().filter(checks::containsKey).forEach(decided::add);
        ticker = vertx.setPeriodic(TICK_MILLIS, id -> onTick());
        return Future.all(
          vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_REPORT, msg -> onReport(msg.body())).completion(),
          vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_HAND_OVER, this::onHandOver).completion(),
          vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_COORDINATOR, msg -> onCoordinator(msg.body()))
            .completion());
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    return Future.succeededFuture();
  }

  private void onReport(JsonObject body) {
    if (!alone) {
      return;
    }
    Instant now = clock.instant();
    String kind = body.getString("kind");
    if (ProbeResult.KIND.equals(kind)) {
      ProbeResult result = ProbeResult.fromJson(body);
      Watched check = checks.get(result.checkId());
      if (check != null && !busy(check)) {
        Duration age = Duration.between(result.time(), now);
        CheckPhase before = check.state().phase();
        act(check, check.state().onResult(now, result.up(), age.isNegative() ? Duration.ZERO : age), now);
        if (check.state().phase() != before) {
          persist();
        }
      }
    } else if (ProcessEvent.KIND.equals(kind)) {
      ProcessEvent event = ProcessEvent.fromJson(body);
      if (event.type() == ProcessEventType.STARTED) {
        checks.values().stream().filter(check -> event.service().equals(check.service()))
          .forEach(check -> check.state().onStarted(now));
        persist();
      }
    }
  }

  private void onTick() {
    if (!alone) {
      return;
    }
    Instant now = clock.instant();
    for (Watched check : checks.values()) {
      if (!busy(check)) {
        act(check, check.state().onTick(now), now);
      }
    }
  }

  private void act(Watched check, Decision decision, Instant now) {
    if (decision.isNone()) {
      return;
    }
    decided.add(check.id());
    switch (decision.kind()) {
      case GIVE_UP -> log.atError().addKeyValue("agent", agentId).addKeyValue("check", check.id())
        .log("gave up on {} with no coordinator: {}; the coordinator is told when it is back", check.service(),
          decision.reason());
      case RESTART -> restart(check, decision.reason(), now);
      default -> {
      }
    }
    persist();
  }

  private void restart(Watched check, String reason, Instant now) {
    if (check.service() == null) {
      check.state().onActionFinished(now, false);
      return;
    }
    List<Watched> waiting = restarting.get(check.service());
    if (waiting != null) {
      waiting.add(check);
      return;
    }
    restarting.put(check.service(), new ArrayList<>(List.of(check)));
    Command command = new Command("local-" + UUID.randomUUID(), agentId, check.service(), Action.RESTART,
      check.id() + ": " + reason, now, now.plus(LOCAL_COMMAND_TTL), 0);
    log.atWarn().addKeyValue("agent", agentId).addKeyValue("check", check.id()).addKeyValue("command", command.id())
      .log("restarting {} on the agent's own decision (no coordinator): {}", check.service(), reason);
    CommandResult.LocalDecision why = new CommandResult.LocalDecision(check.id(), reason, now);
    vertx.eventBus().<JsonObject>request(Addresses.LOCAL_COMMAND, command.toJson(), AS_THE_AGENT)
      .map(reply -> CommandResult.fromJson(reply.body()))
      .otherwise(failure -> CommandResult.of(command, CommandStatus.FAILED, "supervisor did not answer: "
        + failure.getMessage(), clock.instant(), Duration.ZERO, null))
      .onSuccess(result -> finished(check.service(), result.decidedLocally(why)));
  }

  private void finished(String service, CommandResult result) {
    vertx.eventBus().publish(Addresses.LOCAL_REPORT, result.toJson());
    List<Watched> waiting = restarting.remove(service);
    Instant now = clock.instant();
    boolean done = result.status() == CommandStatus.DONE;
    if (waiting != null) {
      waiting.forEach(check -> check.state().onActionFinished(now, done));
    }
    log.atInfo().addKeyValue("agent", agentId).addKeyValue("command", result.commandId())
      .log("restart of {} on the agent's own decision: {} ({})", service, result.status(), result.detail());
    persist();
  }

  /** The uplink is about to say hello: stop deciding, and give what was decided alone to the coordinator. */
  private void onHandOver(Message<JsonObject> message) {
    alone = false;
    Instant now = clock.instant();
    Map<String, CheckMemory> memory = new LinkedHashMap<>();
    decided.forEach(id -> memory.put(id, checks.get(id).state().memory(now)));
    if (!memory.isEmpty()) {
      log.atInfo().addKeyValue("agent", agentId).log("handing {} checks decided alone back to the coordinator: {}",
        memory.size(), memory.keySet());
    }
    message.reply(CheckMemoryJson.toJson(memory));
  }

  /** The coordinator took over (with its memory of the checks), or the link is down and the agent is alone. */
  private void onCoordinator(JsonObject body) {
    if (!body.getBoolean("inCharge", false)) {
      if (!alone) {
        log.atWarn().addKeyValue("agent", agentId)
          .log("no coordinator in charge: the agent applies its {} checks' policy itself", checks.size());
        // a restart the coordinator ordered may never be answered now: its check may decide again
        Instant now = clock.instant();
        checks.values().stream().filter(check -> !busy(check) && check.state().phase() == CheckPhase.ACTING)
          .forEach(check -> check.state().onActionFinished(now, false));
      }
      alone = true;
      return;
    }
    alone = false;
    restore(CheckMemoryJson.byCheck(body, "memory"));
    if (body.getBoolean("hello", false)) {
      decided.clear();
    }
    persist();
  }

  private void restore(Map<String, CheckMemory> memory) {
    memory.forEach((id, kept) -> {
      Watched check = checks.get(id);
      if (check != null) {
        check.state().restore(kept);
      }
    });
  }

  private boolean busy(Watched check) {
    return check.service() != null && restarting.containsKey(check.service());
  }

  /** Writes the memory on a worker, one write at a time; a change during a write makes one more write after it. */
  private void persist() {
    if (writing) {
      writeAgain = true;
      return;
    }
    writing = true;
    Instant now = clock.instant();
    Map<String, CheckMemory> memory = new LinkedHashMap<>();
    checks.values().forEach(check -> memory.put(check.id(), check.state().memory(now)));
    PolicyMemoryFile.Kept kept = new PolicyMemoryFile.Kept(memory, Set.copyOf(decided));
    vertx.executeBlocking(() -> {
      file.write(kept);
      return null;
    }).onComplete(written -> {
      if (written.failed()) {
        log.atWarn().addKeyValue("agent", agentId).log("could not keep the policy memory: {}",
          written.cause().getMessage());
      }
      writing = false;
      if (writeAgain) {
        writeAgain = false;
        persist();
      }
    });
  }
}
