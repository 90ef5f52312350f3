package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.ServiceSpec;
import dev.kelpie.agent.supervise.manager.FollowedStream;
import dev.kelpie.agent.supervise.manager.ManagedState;
import dev.kelpie.agent.supervise.manager.ServiceManager;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Evidence;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;
import org.slf4j.event.Level;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A service the host's own manager (systemd, supervisord, Docker) runs, watched and acted on through that manager:
 * the same process events and command results as for a service the agent spawns, so the coordinator cannot tell the
 * difference. Its exit is noticed by the manager's own change notices where it has them (Docker's events, systemd's
 * journal), else by watching the main pid every tick and asking the manager as often as it is cheap to; a manager that
 * cannot be reached or refuses makes a failed command, never a crash. What the manager last said travels with the
 * service's info and its process events. Touched only on the supervisor's context.
 */
final class ManagedService {

  private static final int EVIDENCE_CHARS = 600;

  private final SupervisorVerticle supervisor;
  private final ServiceSpec spec;
  private final ServiceManager manager;
  private final WantedState wantedState;
  private Long pid;
  private Instant startedAt;
  private boolean wanted;
  /** A command is at work: what the manager says meanwhile belongs to it, not to the watch. */
  private boolean acting;
  private boolean watching;
  private long lastAsked;
  private final ManagerWord word;
  private ServiceInfo.Manager published;
  /** A change notice came while busy: ask the manager at the next chance. */
  private boolean askSoon;
  private boolean closed;
  private Optional<FollowedStream> following = Optional.empty();
  private final WorkQueue queue = new WorkQueue();

  ManagedService(SupervisorVerticle supervisor, ServiceSpec spec, ServiceManager manager, Path stateDir) {
    this.supervisor = supervisor;
    this.spec = spec;
    this.manager = manager;
    this.wantedState = new WantedState(stateDir, spec.name());
    this.word = new ManagerWord(new ServiceInfo.Manager(spec.manager().type().key(), manager.target()));
  }

  String name() {
    return spec.name();
  }

  ServiceInfo info() {
    return new ServiceInfo(spec.name(), wanted, pid, startedAt, spec.port(), view());
  }

  /** The manager as shown: what it said last, and why it could not be asked since, if so. */
  ServiceInfo.Manager view() {
    return word.view();
  }

  /** Stops following the manager's notices and closes what it holds; the service keeps running. */
  Future<Void> close() {
    closed = true;
    following.ifPresent(FollowedStream::close);
    return manager.close();
  }

  /** The manager's state, kept as what it said last. */
  private Future<ManagedState> ask() {
    return manager.state().andThen(answer -> {
      if (answer.succeeded() && word.answered(answer.result(), supervisor.now())) {
        supervisor.log(Level.INFO, spec.name(), null).log("{} answers again", manager.target());
      } else if (answer.failed() && word.failed(answer.cause().getMessage())) {
        supervisor.log(Level.WARN, spec.name(), null).log("{}", answer.cause().getMessage());
      }
    });
  }

  /** At the agent's start: a running service is adopted (its manager owns it); a stopped one is started if wanted. */
  Future<Void> takeCharge() {
    acting = true;
    return enqueue(() -> supervisor.blocking(() -> wantedState.read().orElse(true))
      .compose(wantedNow -> {
        wanted = wantedNow;
        return ask();
      })
      .compose(state -> {
        if (state.running()) {
          running(state.pid());
          supervisor.log(Level.INFO, spec.name(), null).log("adopted pid {} from {}", pid, manager.target());
          report(ProcessEventType.ADOPTED, pid, null,
            manager.target() + " says " + state.state());
          publish();
          return Future.<Void>succeededFuture();
        }
        if (wanted) {
          return start(null).<Void>mapEmpty().otherwiseEmpty();   // start reported why it could not
        }
        publish();
        return Future.<Void>succeededFuture();
      })
      .recover(failure -> {
        supervisor.log(Level.ERROR, spec.name(), null).log("could not take charge: {}", failure.getMessage());
        word.failed(failure.getMessage());
        report(ProcessEventType.START_FAILED, 0, null, failure.getMessage());
        publish();
        return Future.<Void>succeededFuture();
      })
      .andThen(done -> {
        acting = false;
        follow();
      }));
  }

  /** From now on, each notice of the manager's own (a container died, the unit changed) makes it asked at once. */
  private void follow() {
    if (closed) {
      return;
    }
    following = manager.follow(notice -> {
      supervisor.log(Level.DEBUG, spec.name(), null).log("{} tells: {}", manager.target(), notice);
      watch(System.currentTimeMillis(), true);
    });
    following.ifPresent(stream -> supervisor.log(Level.INFO, spec.name(), null).log("following {}", stream.what()));
  }

  /** One tick of the watch: the main pid from /proc, and the manager's word when it is time to ask. */
  void watch(long now) {
    watch(now, false);
  }

  /** {@code askNow}: ask the manager whatever the time since it was last asked (a notice of its own came). */
  private void watch(long now, boolean askNow) {
    if (acting || watching) {
      askSoon |= askNow;
      return;
    }
    watching = true;
    Long known = pid;
    boolean ask = askNow || askSoon || now - lastAsked >= manager.askEvery().toMillis();
    askSoon = false;
    Future<Boolean> pidAlive = known == null ? Future.succeededFuture(false)
      : supervisor.blocking(() -> ProcessHandle.of(known).map(ProcessHandle::isAlive).orElse(false));
    pidAlive.compose(alive -> {
        if ((known != null && !alive) || ask) {
          lastAsked = now;
          return ask().map(state -> {
            noticed(known, state);
            return null;
          }).recover(failure -> {
            unreachable(known, alive, failure);
            return Future.succeededFuture();
          });
        }
        return Future.succeededFuture();
      })
      .onComplete(done -> {
        watching = false;
        if (word.newerThan(published)) {
          publish();
        }
        if (askSoon) {
          watch(System.currentTimeMillis(), true);
        }
      });
  }

  private void noticed(Long known, ManagedState state) {
    if (acting || !Objects.equals(known, pid)) {
      return;
    }
    if (known != null && !Objects.equals(known, state.pid())) {
      exited(known, state.exitCode(), manager.target() + " says " + state.state()
        + (state.exitCode() == null ? "" : ", exit status " + state.exitCode()));
    }
    if (pid == null && state.running()) {
      running(state.pid());
      report(ProcessEventType.ADOPTED, pid, null,
        "started outside Kelpie: " + manager.target() + " says " + state.state());
      publish();
    }
  }

  /** The manager does not answer: the main pid alone tells whether the service still runs. */
  private void unreachable(Long known, boolean alive, Throwable failure) {
    if (known != null && !alive && !acting && known.equals(pid)) {
      exited(known, null, "pid " + known + " is gone; " + failure.getMessage());
    }
  }

  private void exited(long known, Integer exitCode, String detail) {
    supervisor.log(Level.WARN, spec.name(), null).log("pid {} exited: {}", known, detail);
    gone();
    supervisor.reportExit(spec.name(), known, exitCode, detail, view());
    publish();
  }

  /** Carries out a command and answers it as a spawned service's would be: DONE or FAILED, with the reason. */
  Future<CommandResult> answer(Command command, Instant received) {
    Future<Evidence> taken = !SupervisorVerticle.takesEvidence(command.action()) ? Future.succeededFuture()
      : supervisor.evidence().take(spec.name(), pid, null, manager::recentOutput, manager.target());
    return taken.compose(evidence -> execute(command)
      .map(detail -> result(command, CommandStatus.DONE, detail, received))
      .otherwise(failure -> result(command, CommandStatus.FAILED, failure.getMessage(), received))
      .map(result -> result.withEvidence(evidence)))
      .andThen(done -> supervisor.log(Level.INFO, spec.name(), command.id()).log("{} {}: {}", command.action(),
        done.result().status(), done.result().detail()));
  }

  private CommandResult result(Command command, CommandStatus status, String detail, Instant received) {
    Instant now = supervisor.now();
    return CommandResult.of(command, status, detail, now, Duration.between(received, now), pid);
  }

  private Future<String> execute(Command command) {
    String id = command.id();
    return enqueue(() -> {
      acting = true;
      return Future.<Void>succeededFuture().compose(v -> act(command, id)).andThen(finished -> acting = false);
    });
  }

  private Future<String> act(Command command, String id) {
    return switch (command.action()) {
      case KILL -> stop(id);
      case DUMP -> Future.succeededFuture(pid == null ? "not running: only " + manager.target() + "'s log taken"
        : "evidence taken from pid " + pid + "; left running");
      case STOP -> setWanted(false).compose(v -> stop(id)).map(stopped -> stopped + "; stays down until a start");
      case START -> setWanted(true).compose(v -> ask()).compose(state -> state.running()
        ? Future.succeededFuture(alreadyRunning(state))
        : start(id).map(started -> "started as pid " + started + " through " + manager.target()));
      case RESTART -> setWanted(true).compose(v -> stop(id)).compose(stopped -> portFree(stopped, id))
        .compose(stopped -> start(id).map(started -> stopped + "; started as pid " + started + " through "
          + manager.target()));
      case REMEDIATE -> Future.failedFuture("remediate is for a check, not a service");
    };
  }

  private String alreadyRunning(ManagedState state) {
    if (pid == null) {
      running(state.pid());
      report(ProcessEventType.ADOPTED, pid, null,
        "started outside Kelpie: " + manager.target() + " says " + state.state());
      publish();
    }
    return "already running as pid " + state.pid() + " (" + manager.target() + " says " + state.state() + ")";
  }

  /** Asks the manager to stop the service, keeping its last output as evidence in the sentence returned. */
  private Future<String> stop(String commandId) {
    return ask().compose(state -> {
      if (!state.running()) {
        if (pid != null) {
          gone();
          publish();
        }
        return Future.succeededFuture("was not running (" + manager.target() + " says " + state.state() + ")");
      }
      long target = state.pid();
      return manager.recentOutput().otherwise("").compose(output -> {
        report(ProcessEventType.SIGNALLED, target, commandId,
          "asked " + manager.target() + " to stop pid " + target);
        return manager.stop().compose(v -> ask()).map(after -> {
          if (after.running()) {
            throw new IllegalStateException(manager.target() + " still runs it as pid " + after.pid()
              + " after the stop (" + after.state() + ")");
          }
          gone();
          publish();
          String sentence = manager.target() + " stopped pid " + target + " (now " + after.state() + ")";
          report(ProcessEventType.KILLED, target, commandId, sentence);
          return sentence + evidence(output);
        });
      });
    });
  }

  private Future<String> portFree(String stopped, String commandId) {
    Integer port = spec.port();
    if (port == null) {
      return Future.succeededFuture(stopped);
    }
    Duration limit = spec.portReleaseTimeout();
    return supervisor.blocking(() -> KillTree.awaitPortFree(port, limit)).compose(free -> {
      if (!free) {
        return Future.failedFuture(stopped + "; port " + port + " still in use after " + limit.toMillis()
          + " ms, not started again");
      }
      report(ProcessEventType.PORT_RELEASED, 0, commandId, "port " + port + " free");
      return Future.succeededFuture(stopped + "; port " + port + " free");
    });
  }

  private Future<Long> start(String commandId) {
    return manager.start().compose(v -> ask()).map(state -> {
        if (!state.running()) {
          throw new IllegalStateException(manager.target() + " did not keep it running (" + state.state()
            + (state.exitCode() == null ? "" : ", exit status " + state.exitCode()) + ")");
        }
        running(state.pid());
        supervisor.log(Level.INFO, spec.name(), commandId).log("started pid {} through {}", pid, manager.target());
        report(ProcessEventType.STARTED, pid, commandId,
          "through " + manager.target() + ", which says " + state.state());
        publish();
        return pid;
      })
      .recover(failure -> {
        supervisor.log(Level.WARN, spec.name(), commandId).log("could not start: {}", failure.getMessage());
        report(ProcessEventType.START_FAILED, 0, commandId, failure.getMessage());
        return Future.failedFuture("could not start: " + failure.getMessage());
      });
  }

  private Future<Void> setWanted(boolean wantedNow) {
    boolean changed = wanted != wantedNow;
    wanted = wantedNow;
    if (changed) {
      publish();
    }
    return supervisor.blocking(() -> {
      wantedState.write(wantedNow);
      return null;
    });
  }

  private void running(long runningPid) {
    pid = runningPid;
    startedAt = supervisor.now();
  }

  private void gone() {
    pid = null;
    startedAt = null;
  }

  private void publish() {
    ServiceInfo info = info();
    published = info.manager();
    supervisor.publish(info);
  }

  private void report(ProcessEventType type, long eventPid, String commandId, String detail) {
    supervisor.report(spec.name(), type, eventPid, commandId, detail, view());
  }

  private static String evidence(String output) {
    String text = output.strip();
    if (text.isEmpty()) {
      return "";
    }
    String tail = text.length() <= EVIDENCE_CHARS ? text : "..." + text.substring(text.length() - EVIDENCE_CHARS);
    return "; its last output: " + tail.replaceAll("\\s*\\n\\s*", " | ");
  }

  /** Runs {@code work} once everything queued before it has finished, whether that succeeded or not. */
  private <T> Future<T> enqueue(Supplier<Future<T>> work) {
    return queue.enqueue(work);
  }
}
