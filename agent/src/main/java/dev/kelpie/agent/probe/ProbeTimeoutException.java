package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;

import java.time.Duration;

/** A probe run that did not end within its check's timeout; the runner cancelled it. */
public final class ProbeTimeoutException extends RuntimeException {

  private final Duration bound;

  public ProbeTimeoutException(Duration bound) {
    super("no result within " + Durations.human(bound) + "; probe cancelled", null, false, false);
    this.bound = bound;
  }

  public Duration bound() {
    return bound;
  }
}
