package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.ServiceSpec;
import dev.kelpie.agent.supervise.manager.ServiceManager;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Evidence;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the host's services: adopts or spawns them at start, notices an exit at once (and leaves the decision to
 * respawn to the coordinator), and carries out kill, stop, start and restart commands one at a time per service.
 * Every step is a process event on {@link Addresses#LOCAL_REPORT}; every change of a service's pid or wanted state is
 * a {@code ServiceInfo} on {@link Addresses#LOCAL_SERVICE_STATE}. Spawns, /proc reads and kills run on a worker
 * pool of its own; this verticle only keeps the books. Services the host's own manager runs (systemd, supervisord,
 * Docker) are each a {@link ManagedService}, acted on through that manager with the same events and results.
 * Undeploying it leaves the services running.
 */
public final class SupervisorVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SupervisorVerticle.class);
  /** The JDK notices a non-child's exit by polling up to 5 s apart; this is the bound for adopted processes. */
  private static final long ADOPTED_WATCH_MILLIS = 1000;
  /** How often a managed service's main pid is looked at; its manager is asked as often as it is cheap to. */
  private static final long MANAGED_WATCH_MILLIS = 250;

  private final String agentId;
  private final Clock clock;
  private final Map<String, Supervised> services = new LinkedHashMap<>();
  private final Map<String, ManagedService> managed = new LinkedHashMap<>();
  private final List<ServiceSpec> specs;
  private final Path stateDir;
  private final Spawner spawner;
  private final CommandFence fence = new CommandFence();
  private WorkerExecutor workers;
  private EvidenceTaker evidence;
  private long adoptedWatch;
  private long managedWatch;
  private boolean stopped;

  public SupervisorVerticle(String agentId, Path stateDir, List<ServiceSpec> specs, Clock clock) {
    this.agentId = agentId;
    this.clock = clock;
    this.spawner = new Spawner(stateDir);
    this.specs = List.copyOf(specs);
    this.stateDir = stateDir;
    specs.stream().filter(spec -> !spec.managedElsewhere())
      .forEach(spec -> services.put(spec.name(), new Supervised(spec, stateDir)));
  }

  @Override
  public Future<?> start() {
    // a kill holds its worker for the whole grace period: a pool of its own, and no blocked-thread warnings for that
    workers = vertx.createSharedWorkerExecutor("kelpie-supervise", Math.max(4, 2 * specs.size()), 10,
      TimeUnit.MINUTES);
    evidence = new EvidenceTaker(vertx, workers, clock, EvidenceTaker.DEFAULT_BOUND);
    specs.stream().filter(ServiceSpec::managedElsewhere).forEach(spec -> managed.put(spec.name(),
      new ManagedService(this, spec, ServiceManager.of(vertx, workers, spec.manager()), stateDir)));
    Future<Void> commands = vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_COMMAND, this::onCommand)
      .completion();
    Future<Void> listing = vertx.eventBus().consumer(Addresses.LOCAL_SERVICES, msg -> msg.reply(listing()))
      .completion();
    adoptedWatch = vertx.setPeriodic(ADOPTED_WATCH_MILLIS, id -> watchAdopted());
    managedWatch = vertx.setPeriodic(MANAGED_WATCH_MILLIS, id -> managed.values()
      .forEach(service -> service.watch(System.currentTimeMillis())));
    // services other managers run first, so their pids are known; then one service after the other, so that no
    // adopt rule can take a process another service just claimed. A manager that cannot be reached is an error on
    // its service, never on the agent's start.
    Future<Void> inCharge = Future.all(managed.values().stream().map(ManagedService::takeCharge).toList())
      .mapEmpty();
    for (Supervised service : services.values()) {
      Future<Void> before = inCharge;
      inCharge = service.enqueue(() -> before.compose(v -> takeCharge(service)));
    }
    return Future.all(commands, listing, inCharge);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(adoptedWatch);
    vertx.cancelTimer(managedWatch);
    return Future.join(managed.values().stream().map(ManagedService::close).toList())
      .transform(closed -> workers.close());
  }

  private Future<Void> takeCharge(Supervised service) {
    Set<Long> claimed = claimedPids();
    return blocking(() -> new Situation(Adoption.find(service.spec, service.pidRecord, claimed).orElse(null),
        service.wantedState.read().orElse(service.spec.autostart())))
      .compose(situation -> {
        service.wanted = situation.wanted();
        if (situation.found() != null) {
          adopt(service, situation.found());
          return Future.<Void>succeededFuture();
        }
        if (service.wanted) {
          return spawn(service, null).<Void>mapEmpty();
        }
        publishState(service);
        return Future.<Void>succeededFuture();
      })
      .recover(failure -> {
        log(Level.ERROR, service, null).log("could not take charge: {}", failure.getMessage());
        return Future.succeededFuture();
      });
  }

  private record Situation(Adoption.Found found, boolean wanted) {
  }

  private Set<Long> claimedPids() {
    Set<Long> claimed = new HashSet<>(Set.of(ProcessHandle.current().pid()));
    services.values().forEach(other -> {
      if (other.pid() != null) {
        claimed.add(other.pid());
      }
    });
    managed.values().forEach(other -> {
      if (other.info().pid() != null) {
        claimed.add(other.info().pid());
      }
    });
    return claimed;
  }

  private void adopt(Supervised service, Adoption.Found found) {
    ProcessId process = found.process();
    service.running(process, clock.instant(), true);
    found.handle().onExit().whenComplete((h, e) -> exitSeen(service, process, ExitStatus.UNKNOWN));
    blocking(() -> {
      service.pidRecord.write(process);
      return null;
    });
    log(Level.INFO, service, null).log("adopted pid {} found by {}", process, found.how());
    report(service, ProcessEventType.ADOPTED, process.pid(), null, null,
      "found by " + found.how() + ": " + found.commandLine());
    publishState(service);
  }

  private Future<ProcessId> spawn(Supervised service, String commandId) {
    return blocking(() -> spawner.spawn(service.spec, service.pidRecord))
      .map(spawned -> {
        ProcessId process = spawned.id();
        service.running(process, clock.instant(), false);
        spawned.process().onExit().whenComplete((p, e) ->
          exitSeen(service, process, ExitStatus.of(p.exitValue())));
        log(Level.INFO, service, commandId).log("started pid {}", process);
        report(service, ProcessEventType.STARTED, process.pid(), commandId, null,
          String.join(" ", service.spec.command()));
        publishState(service);
        return process;
      })
      .recover(failure -> {
        log(Level.WARN, service, commandId).log("could not start: {}", failure.getMessage());
        report(service, ProcessEventType.START_FAILED, 0, commandId, null, failure.getMessage());
        return Future.failedFuture("could not start: " + failure.getMessage());
      });
  }

  /** From the JDK's exit watcher threads: back onto this verticle's context. */
  private void exitSeen(Supervised service, ProcessId process, ExitStatus status) {
    if (!stopped) {
      context.runOnContext(v -> exited(service, process, status));
    }
  }

  private void exited(Supervised service, ProcessId process, ExitStatus status) {
    if (stopped || service.killing || !process.equals(service.process)) {
      return;
    }
    service.gone();
    log(Level.WARN, service, null).log("pid {} {}", process, status.sentence());
    report(new ProcessEvent(agentId, 0, service.name(), clock.instant(), ProcessEventType.EXITED, process.pid(),
      status.code(), status.signal(), null, "pid " + process + " " + status.sentence()));
    forget(service, process);
    publishState(service);
  }

  private void watchAdopted() {
    services.values().forEach(service -> {
      ProcessId process = service.process;
      if (service.adopted && process != null && !service.killing) {
        blocking(process::alive).onSuccess(alive -> {
          if (!alive) {
            exited(service, process, ExitStatus.UNKNOWN);
          }
        });
      }
    });
  }

  private void onCommand(Message<JsonObject> message) {
    Command command;
    try {
      command = Command.fromJson(message.body());
    } catch (RuntimeException e) {
      message.fail(400, "not a command: " + e.getMessage());
      return;
    }
    Instant received = clock.instant();
    boolean local = "agent".equals(message.headers().get(Addresses.LOCAL_COMMAND_ORIGIN));
    String busy = fence.enter(command.service(), local);
    if (busy != null) {
      log(Level.WARN, command.service(), command.id()).log("{} refused: {}", command.action(), busy);
      message.reply(CommandResult.of(command, CommandStatus.BUSY, busy, received, Duration.ZERO, null).toJson());
      return;
    }
    ManagedService other = managed.get(command.service());
    if (other != null) {
      other.answer(command, received).onComplete(done -> fence.leave(command.service(), local))
        .onSuccess(result -> message.reply(result.toJson()));
      return;
    }
    Supervised service = services.get(command.service());
    if (service == null) {
      message.reply(CommandResult.of(command, CommandStatus.UNKNOWN_SERVICE, "agent " + agentId
        + " supervises no service named '" + command.service() + "'", received, Duration.ZERO, null).toJson());
      return;
    }
    service.enqueue(() -> evidenceBefore(service, command).compose(taken -> execute(service, command)
        .map(detail -> result(command, CommandStatus.DONE, detail, received, service))
        .otherwise(failure -> result(command, CommandStatus.FAILED, failure.getMessage(), received, service))
        .map(result -> result.withEvidence(taken))))
      .andThen(done -> fence.leave(command.service(), local))
      .onSuccess(result -> {
        log(Level.INFO, service, command.id()).log("{} {}: {}", command.action(), result.status(), result.detail());
        message.reply(result.toJson());
      });
  }

  /** Before a kill, a restart or a dump: the evidence, within its bound (null for other commands). */
  private Future<Evidence> evidenceBefore(Supervised service, Command command) {
    if (!takesEvidence(command.action())) {
      return Future.succeededFuture();
    }
    return evidence.take(service.name(), service.pid(), spawner.logFile(service.name()), null, null)
      .onSuccess(taken -> log(Level.INFO, service, command.id()).log("evidence before {}: {}",
        command.action(), taken.summary()));
  }

  /** The commands before which the agent takes evidence: those that end a process, and the dump itself. */
  static boolean takesEvidence(Action action) {
    return action == Action.KILL || action == Action.RESTART || action == Action.DUMP;
  }

  EvidenceTaker evidence() {
    return evidence;
  }

  private CommandResult result(Command command, CommandStatus status, String detail, Instant received,
                               Supervised service) {
    Instant now = clock.instant();
    return CommandResult.of(command, status, detail, now, Duration.between(received, now), service.pid());
  }

  private Future<String> execute(Supervised service, Command command) {
    String id = command.id();
    log(Level.INFO, service, id).log("{} ({})", command.action(), command.reason());
    KillSequence kill = new KillSequence(this, service, id);
    return switch (command.action()) {
      case KILL -> kill.run().map(KillSequence.Outcome::sentence);
      case DUMP -> Future.succeededFuture(service.process == null ? "not running: only its output log taken"
        : "evidence taken from pid " + service.pid() + "; left running");
      case STOP -> setWanted(service, false).compose(v -> kill.run())
        .map(killed -> killed.sentence() + "; stays down until a start");
      case START -> setWanted(service, true).compose(v -> service.process != null
        ? Future.succeededFuture("already running as pid " + service.pid())
        : spawn(service, id).map(process -> "started as pid " + process));
      case RESTART -> setWanted(service, true).compose(v -> kill.run()).compose(killed -> killed.portFree()
        ? spawn(service, id).map(process -> killed.sentence() + "; started as pid " + process)
        : Future.failedFuture(killed.sentence() + "; not started again while the port is taken"));
      case REMEDIATE -> Future.failedFuture("remediate is for a check, not a service");
    };
  }

  private Future<Void> setWanted(Supervised service, boolean wanted) {
    boolean changed = service.wanted != wanted;
    service.wanted = wanted;
    if (changed) {
      publishState(service);
    }
    return blocking(() -> {
      service.wantedState.write(wanted);
      return null;
    });
  }

  void forget(Supervised service, ProcessId process) {
    blocking(() -> {
      service.pidRecord.clear(process);
      return null;
    }).onFailure(e -> log(Level.WARN, service, null).log("could not clear the pid record: {}", e.getMessage()));
  }

  <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  void report(Supervised service, ProcessEventType type, long pid, String commandId, String signal, String detail) {
    report(service.name(), type, pid, commandId, signal, detail);
  }

  void report(String service, ProcessEventType type, long pid, String commandId, String signal, String detail) {
    report(new ProcessEvent(agentId, 0, service, clock.instant(), type, pid, null, signal, commandId, detail));
  }

  /** A managed service's step, with its manager's view of it at that moment. */
  void report(String service, ProcessEventType type, long pid, String commandId, String detail,
              ServiceInfo.Manager view) {
    report(new ProcessEvent(agentId, 0, service, clock.instant(), type, pid, null, null, commandId, detail, view));
  }

  void reportExit(String service, long pid, Integer exitCode, String detail, ServiceInfo.Manager view) {
    report(new ProcessEvent(agentId, 0, service, clock.instant(), ProcessEventType.EXITED, pid, exitCode, null, null,
      detail, view));
  }

  Instant now() {
    return clock.instant();
  }

  private void report(ProcessEvent event) {
    vertx.eventBus().publish(Addresses.LOCAL_REPORT, event.toJson());
  }

  void publishState(Supervised service) {
    publish(service.info());
  }

  void publish(ServiceInfo info) {
    vertx.eventBus().publish(Addresses.LOCAL_SERVICE_STATE, info.toJson());
  }

  LoggingEventBuilder log(Level level, Supervised service, String commandId) {
    return log(level, service.name(), commandId);
  }

  LoggingEventBuilder log(Level level, String service, String commandId) {
    LoggingEventBuilder builder = log.atLevel(level).addKeyValue("agent", agentId)
      .addKeyValue("service", service);
    return commandId == null ? builder : builder.addKeyValue("command", commandId);
  }

  private JsonArray listing() {
    JsonArray array = new JsonArray();
    specs.forEach(spec -> array.add((managed.containsKey(spec.name()) ? managed.get(spec.name()).info()
      : services.get(spec.name()).info()).toJson()));
    return array;
  }
}
