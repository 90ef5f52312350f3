package dev.kelpie.agent.probe;

import io.vertx.core.Future;

/** One kind of probe, bound to its target. Runs without blocking the event loop and never fails its future. */
interface Probe {

  /** What one probe found: up or down, and a short human sentence. */
  record Finding(boolean up, String detail) {

    static Finding up(String detail) {
      return new Finding(true, detail);
    }

    static Finding down(String detail) {
      return new Finding(false, detail);
    }
  }

  Future<Finding> run();
}
