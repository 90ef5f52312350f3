package dev.kelpie.coordinator.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * The port opens whole: each of its event loops mounts its routes, then waits here until all have, and only then do
 * they listen. An agent is never served by a port whose coordinator has not finished starting.
 */
public final class PortOpening {

  private final int loops;
  private final List<Runnable> waiting = new ArrayList<>();
  private int arrived;

  public PortOpening(int loops) {
    this.loops = loops;
  }

  /** Completes on {@code context} once every loop has arrived (mounted its routes, or failed to). */
  public Future<Void> arrive(Context context) {
    Promise<Void> all = Promise.promise();
    List<Runnable> release = List.of();
    synchronized (this) {
      waiting.add(() -> context.runOnContext(v -> all.complete()));
      if (++arrived == loops) {
        release = new ArrayList<>(waiting);
      }
    }
    release.forEach(Runnable::run);
    return all.future();
  }
}
