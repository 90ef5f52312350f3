package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Up when the path is a mount point (of the expected type) and its file system answers a statfs in time. The
 * statfs runs in a child process ({@link FsStat}); the mount table is read from /proc, which never hangs.
 */
final class MountProbe implements Probe {

  private final Vertx vertx;
  private final MountTarget target;
  private final FsStat stat;

  MountProbe(MountTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.target = target;
    this.stat = new FsStat(vertx, target.path());
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return vertx.executeBlocking(() -> MountTable.typeAt(target.path()), false)
      .compose(type -> type.isEmpty() ? Future.succeededFuture(Finding.down(target.path() + " is not mounted"))
        : wrongType(type.get()).map(Future::succeededFuture).orElseGet(() -> answers(type.get(), cancellation)));
  }

  private Optional<Finding> wrongType(String type) {
    return target.fsType() == null || target.fsType().equals(type) ? Optional.empty()
      : Optional.of(Finding.down(target.path() + " is a " + type + " mount, expected " + target.fsType()));
  }

  private Future<Finding> answers(String type, Cancellation cancellation) {
    long started = System.nanoTime();
    return stat.read(target.hungAfter(), cancellation)
      .map(usage -> Finding.up(type + " mount answers in "
        + Durations.human(Duration.ofMillis((System.nanoTime() - started) / 1_000_000)) + ", "
        + String.format(Locale.ROOT, "%.0f%% used", usage.usedPercent())))
      .otherwise(failure -> Finding.down(failure.getMessage()));
  }
}
