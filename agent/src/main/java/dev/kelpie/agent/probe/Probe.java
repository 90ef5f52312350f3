package dev.kelpie.agent.probe;

import io.vertx.core.Future;

/**
 * One kind of probe, bound to its target. Runs without blocking the event loop and never fails its future. The
 * runner bounds its time: past the check's timeout it reports a timeout and cancels the run, so a probe that holds
 * something (a connection, a child process) lets go of it in {@link Cancellation#onCancel}.
 */
public interface Probe {

  /** What one probe found: up or down, and a short human sentence. */
  record Finding(boolean up, String detail) {

    public static Finding up(String detail) {
      return new Finding(true, detail);
    }

    public static Finding down(String detail) {
      return new Finding(false, detail);
    }
  }

  Future<Finding> run(Cancellation cancellation);
}
