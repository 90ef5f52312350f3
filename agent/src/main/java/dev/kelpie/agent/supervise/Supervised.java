package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.ServiceSpec;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;

import java.nio.file.Path;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The supervisor's books on one service: the process running it, whether it should run, and its queue of work, so
 * that commands for one service run one after the other. Touched only on the supervisor's context.
 */
final class Supervised {

  final ServiceSpec spec;
  final PidRecord pidRecord;
  final WantedState wantedState;
  ProcessId process;
  Instant startedAt;
  /** Not spawned by this agent: its exit status is unknown and its exit must be watched by polling. */
  boolean adopted;
  boolean wanted;
  /** The agent itself is ending the process: its exit belongs to the kill, not an EXITED event. */
  boolean killing;
  private final WorkQueue queue = new WorkQueue();

  Supervised(ServiceSpec spec, Path stateDir) {
    this.spec = spec;
    this.pidRecord = new PidRecord(stateDir, spec.name());
    this.wantedState = new WantedState(stateDir, spec.name());
  }

  String name() {
    return spec.name();
  }

  void running(ProcessId process, Instant at, boolean adopted) {
    this.process = process;
    this.startedAt = at;
    this.adopted = adopted;
  }

  void gone() {
    process = null;
    startedAt = null;
    adopted = false;
  }

  Long pid() {
    return process == null ? null : process.pid();
  }

  /** Runs {@code work} once everything queued before it has finished, whether that succeeded or not. */
  <T> Future<T> enqueue(Supplier<Future<T>> work) {
    return queue.enqueue(work);
  }

  ServiceInfo info() {
    return new ServiceInfo(spec.name(), wanted, pid(), startedAt, spec.port());
  }
}
