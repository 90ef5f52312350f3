package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keeps the host's services: adopts or spawns them at start, notices an exit at once, and carries out kill, stop,
 * start and restart commands one at a time per service. Every step is a process event. Spawning, /proc reads and
 * kills run on worker threads; this verticle only keeps the books.
 */
public final class SupervisorVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SupervisorVerticle.class);

  private final String agentId;
  private final Path stateDir;
  private final Clock clock;
  private final Map<String, Supervised> services = new LinkedHashMap<>();
  private final Spawner spawner;
  private final KillTree killTree;
  private boolean stopped;

  public SupervisorVerticle(String agentId, Path stateDir, List<AgentConfig.ServiceSpec> specs, Clock clock) {
    this.agentId = agentId;
    this.stateDir = stateDir;
    this.clock = clock;
    this.spawner = new Spawner(stateDir);
    this.killTree = new KillTree(clock);
    specs.forEach(spec -> services.put(spec.name(), new Supervised(spec, new PidRecord(stateDir, spec.name()))));
  }

  @Override
  public Future<?> start() {
    Future<Void> commands = vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_COMMAND, this::onCommand)
      .completion();
    Future<Void> listing = vertx.eventBus().consumer(Addresses.LOCAL_SERVICES, msg -> msg.reply(listing()))
      .completion();
    List<Future<?>> ready = new ArrayList<>(List.of(commands, listing));
    services.values().forEach(service -> ready.add(takeCharge(service)));
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return Future.succeededFuture();
  }

  private Future<Void> takeCharge(Supervised service) {
    return vertx.executeBlocking(() -> {
        PidRecord.Entry running = find(service.spec, service.record);
        String commandLine = running == null ? null : ProcessTable.commandLine(running.pid());
        return new Found(running, commandLine, service.record.stoppedOnPurpose());
      }, false)
      .compose(found -> {
        service.wanted = !found.stoppedOnPurpose;
        if (found.running != null) {
          adopted(service, found.running, found.commandLine);
          return Future.succeededFuture();
        }
        if (service.wanted && service.spec.autostart()) {
          return spawn(service, null).mapEmpty();
        }
        publishState(service);
        return Future.succeededFuture();
      });
  }

  private record Found(PidRecord.Entry running, String commandLine, boolean stoppedOnPurpose) {
  }

  /** Blocking: the process already running this service, by the agent's own record first, then the adopt rules. */
  private static PidRecord.Entry find(AgentConfig.ServiceSpec spec, PidRecord record) {
    Optional<PidRecord.Entry> own = record.read().filter(e -> ProcessTable.same(e.pid(), e.startTime()));
    if (own.isPresent()) {
      return own.get();
    }
    AgentConfig.Adopt adopt = spec.adopt();
    if (adopt == null) {
      return null;
    }
    Optional<Long> pid = Optional.empty();
    if (adopt.pidfile() != null) {
      pid = readPid(adopt.pidfile()).filter(ProcessTable::alive);
    }
    if (pid.isEmpty() && adopt.port() != null) {
      pid = ProcessTable.listener(adopt.port());
    }
    if (pid.isEmpty() && adopt.pattern() != null) {
      pid = ProcessTable.matching(Pattern.compile(adopt.pattern()));
    }
    return pid.flatMap(p -> ProcessTable.startTime(p).map(start -> new PidRecord.Entry(p, start))).orElse(null);
  }

  private static Optional<Long> readPid(Path pidfile) {
    try {
      return Optional.of(Long.parseLong(java.nio.file.Files.readString(pidfile).trim()));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private void adopted(Supervised service, PidRecord.Entry entry, String commandLine) {
    service.running(entry.pid(), entry.startTime(), clock.instant());
    vertx.executeBlocking(() -> {
      service.record.write(entry.pid(), entry.startTime());
      return null;
    }, false);
    ProcessHandle.of(entry.pid()).ifPresent(handle ->
      handle.onExit().whenComplete((h, e) -> onExit(service, entry.pid(), null)));
    event(service, ProcessEventType.ADOPTED, entry.pid(), null, "already running: " + commandLine);
    publishState(service);
  }

  private Future<Long> spawn(Supervised service, String commandId) {
    return vertx.executeBlocking(() -> {
      Process process = spawner.spawn(service.spec);
      long start = ProcessTable.startTime(process.pid()).orElse(-1L);
      service.record.write(process.pid(), start);
      return new Object[] {process, start};
    }, false).map(spawned -> {
      Process process = (Process) spawned[0];
      service.running(process.pid(), (Long) spawned[1], clock.instant());
      process.onExit().whenComplete((p, e) -> onExit(service, process.pid(), process.exitValue()));
      event(service, ProcessEventType.STARTED, process.pid(), commandId, String.join(" ", service.spec.command()));
      publishState(service);
      return process.pid();
    }).recover(failure -> {
      event(service, ProcessEventType.START_FAILED, 0, commandId, failure.getMessage());
      return Future.failedFuture(failure);
    });
  }

  /** Called on the JDK's process-reaper thread: hop back onto this verticle's context. */
  private void onExit(Supervised service, long pid, Integer exitValue) {
    if (stopped) {
      return;
    }
    context.runOnContext(v -> {
      if (stopped || service.pid == null || service.pid != pid || service.killing) {
        return;
      }
      service.gone();
      Integer code = exitValue == null || exitValue > 128 ? null : exitValue;
      String signal = exitValue != null && exitValue > 128 ? Signals.name(exitValue - 128) : null;
      String how = exitValue == null ? "exited (code unknown: adopted process)"
        : signal != null ? "killed by " + signal : "exited with code " + code;
      log.atWarn().addKeyValue("agent", agentId).addKeyValue("service", service.spec.name())
        .log("pid {} {}", pid, how);
      report(new ProcessEvent(agentId, 0, service.spec.name(), clock.instant(), ProcessEventType.EXITED, pid, code,
        signal, null, how));
      vertx.executeBlocking(() -> {
        service.record.clear();
        return null;
      }, false);
      publishState(service);
    });
  }

  private void onCommand(Message<JsonObject> message) {
    Command command = Command.fromJson(message.body());
    Supervised service = services.get(command.service());
    Instant began = clock.instant();
    if (service == null) {
      message.reply(CommandResult.of(command, CommandStatus.UNKNOWN_SERVICE,
        "no service named '" + command.service() + "' on this agent", began, Duration.ZERO, null).toJson());
      return;
    }
    service.queue = service.queue.transform(previous -> execute(service, command)
      .map(detail -> CommandResult.of(command, CommandStatus.DONE, detail, clock.instant(),
        Duration.between(began, clock.instant()), service.pid))
      .otherwise(failure -> CommandResult.of(command, CommandStatus.FAILED, failure.getMessage(), clock.instant(),
        Duration.between(began, clock.instant()), service.pid))
      .onSuccess(result -> message.reply(result.toJson())));
  }

  private Future<String> execute(Supervised service, Command command) {
    log.atInfo().addKeyValue("agent", agentId).addKeyValue("service", service.spec.name())
      .addKeyValue("command", command.id()).log("{}: {}", command.action(), command.reason());
    return switch (command.action()) {
      case KILL -> kill(service, command.id());
      case STOP -> setWanted(service, false).compose(v -> kill(service, command.id()));
      case START -> setWanted(service, true).compose(v -> service.pid != null
        ? Future.succeededFuture("already running as pid " + service.pid)
        : spawn(service, command.id()).map(pid -> "started as pid " + pid));
      case RESTART -> setWanted(service, true).compose(v -> kill(service, command.id()))
        .compose(killed -> spawn(service, command.id()).map(pid -> killed + "; started as pid " + pid));
    };
  }

  private Future<Void> setWanted(Supervised service, boolean wanted) {
    if (service.wanted == wanted) {
      return Future.succeededFuture();
    }
    service.wanted = wanted;
    publishState(service);
    return vertx.executeBlocking(() -> {
      service.record.wanted(wanted);
      return null;
    }, false);
  }

  private Future<String> kill(Supervised service, String commandId) {
    if (service.pid == null) {
      return Future.succeededFuture("was not running");
    }
    long pid = service.pid;
    long start = service.startTime;
    AgentConfig.ServiceSpec spec = service.spec;
    service.killing = true;
    return vertx.executeBlocking(() -> killTree.kill(pid, start, spec.stopSignal(), spec.stopGrace(), spec.port(),
        spec.portReleaseTimeout()), false)
      .andThen(done -> service.killing = false)
      .compose(outcome -> {
        report(new ProcessEvent(agentId, 0, spec.name(), outcome.signalledAt(), ProcessEventType.SIGNALLED, pid, null,
          "SIG" + spec.stopSignal(), commandId, "SIG" + spec.stopSignal() + " to " + outcome.signalled()));
        String detail = outcome.killDetail(spec.stopSignal(), spec.stopGrace());
        if (!outcome.gone()) {
          return Future.failedFuture(detail);
        }
        report(new ProcessEvent(agentId, 0, spec.name(), outcome.goneAt(), ProcessEventType.KILLED, pid, null,
          outcome.needingKill().isEmpty() ? null : "SIGKILL", commandId, detail));
        service.gone();
        publishState(service);
        if (outcome.port() != null && outcome.portFree()) {
          report(ProcessEvent.of(agentId, spec.name(), outcome.portFreeAt(), ProcessEventType.PORT_RELEASED, pid,
            commandId, "port " + outcome.port() + " is free"));
        }
        vertx.executeBlocking(() -> {
          service.record.clear();
          return null;
        }, false);
        return outcome.portFree() ? Future.succeededFuture(detail)
          : Future.failedFuture(detail + "; port " + outcome.port() + " still in use after "
            + spec.portReleaseTimeout().toMillis() + " ms");
      });
  }

  private void event(Supervised service, ProcessEventType type, long pid, String commandId, String detail) {
    report(ProcessEvent.of(agentId, service.spec.name(), clock.instant(), type, pid, commandId, detail));
  }

  private void report(ProcessEvent event) {
    vertx.eventBus().publish(Addresses.LOCAL_REPORT, event.toJson());
  }

  private void publishState(Supervised service) {
    vertx.eventBus().publish(Addresses.LOCAL_SERVICE_STATE, service.info().toJson());
  }

  private JsonArray listing() {
    JsonArray array = new JsonArray();
    services.values().forEach(service -> array.add(service.info().toJson()));
    return array;
  }
}
