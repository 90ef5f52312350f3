package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;

import java.time.Instant;

/** The supervisor's books on one service: the process running it, whether it should run, its command queue. */
final class Supervised {

  final AgentConfig.ServiceSpec spec;
  final PidRecord record;
  Long pid;
  long startTime;
  Instant startedAt;
  boolean wanted = true;
  boolean killing;
  Future<?> queue = Future.succeededFuture();

  Supervised(AgentConfig.ServiceSpec spec, PidRecord record) {
    this.spec = spec;
    this.record = record;
  }

  void running(long pid, long startTime, Instant at) {
    this.pid = pid;
    this.startTime = startTime;
    this.startedAt = at;
  }

  void gone() {
    pid = null;
    startedAt = null;
  }

  ServiceInfo info() {
    return new ServiceInfo(spec.name(), wanted, pid, startedAt, spec.port());
  }
}
