package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.ServiceSpec;
import dev.kelpie.shared.message.ProcessEventType;
import io.vertx.core.Future;
import org.slf4j.event.Level;

import java.time.Duration;

/**
 * One kill of a service's tree, step by step on the supervisor's context, each step reported as it happens:
 * SIGNALLED, KILLED (saying whether SIGKILL was needed), PORT_RELEASED. While it runs, the process's exit belongs to
 * the kill and is not reported as EXITED.
 */
final class KillSequence {

  /** {@code portFree} is true when the service has no port, or its port was released in time. */
  record Outcome(String sentence, boolean portFree) {
  }

  private final SupervisorVerticle supervisor;
  private final Supervised service;
  private final String commandId;

  KillSequence(SupervisorVerticle supervisor, Supervised service, String commandId) {
    this.supervisor = supervisor;
    this.service = service;
    this.commandId = commandId;
  }

  Future<Outcome> run() {
    ServiceSpec spec = service.spec;
    ProcessId target = service.process;
    if (target == null) {
      return portReleased(target, "was not running");
    }
    service.killing = true;
    String signal = spec.stopSignal();
    return supervisor.blocking(() -> {
        KillTree tree = KillTree.of(target);
        tree.signal(signal);
        return tree;
      })
      .compose(tree -> {
        supervisor.report(service, ProcessEventType.SIGNALLED, target.pid(), commandId, "SIG" + signal,
          "SIG" + signal + " then SIGCONT to " + tree.members());
        return supervisor.blocking(() -> tree.finish(spec.stopGrace()));
      })
      .andThen(done -> service.killing = false)
      .compose(summary -> {
        String sentence = summary.sentence(signal, spec.stopGrace());
        if (!summary.survivors().contains(target.pid())) {
          service.gone();
          supervisor.forget(service, target);
          supervisor.publishState(service);
        }
        if (!summary.gone()) {
          supervisor.log(Level.ERROR, service, commandId).log("kill failed: {}", sentence);
          return Future.failedFuture(sentence);
        }
        boolean neededKill = !summary.needingKill().isEmpty();
        supervisor.report(service, ProcessEventType.KILLED, target.pid(), commandId,
          neededKill ? "SIGKILL" : "SIG" + signal, sentence);
        return portReleased(target, sentence);
      });
  }

  private Future<Outcome> portReleased(ProcessId killed, String sentence) {
    Integer port = service.spec.port();
    if (port == null) {
      return Future.succeededFuture(new Outcome(sentence, true));
    }
    Duration limit = service.spec.portReleaseTimeout();
    long began = System.nanoTime();
    return supervisor.blocking(() -> KillTree.awaitPortFree(port, limit)).map(free -> {
      long waited = Duration.ofNanos(System.nanoTime() - began).toMillis();
      if (!free) {
        supervisor.log(Level.WARN, service, commandId).log("port {} still in use after {} ms", port, waited);
        return new Outcome(sentence + "; port " + port + " still in use after " + limit.toMillis() + " ms", false);
      }
      if (killed != null) {
        supervisor.report(service, ProcessEventType.PORT_RELEASED, killed.pid(), commandId, null,
          "port " + port + " free " + waited + " ms after the tree was gone");
      }
      return new Outcome(sentence + "; port " + port + " free", true);
    });
  }
}
