package dev.kelpie.shared.policy;

/** Where a check stands in its policy. */
public enum CheckPhase {
  /** No result yet. */
  UNKNOWN,
  /** Its service was (re)started: in startup grace, or waiting for the first healthy answer. */
  STARTING,
  HEALTHY,
  /** Failing, below the threshold (or above it on evidence too old to act on). */
  FAILING,
  /** Past the threshold, but the check has no restart to do: it only reports. */
  UNHEALTHY,
  /** Past the threshold; the restart waits for its backoff delay. */
  BACKING_OFF,
  /** A restart was ordered and its result has not come back yet. */
  ACTING,
  /** The restart budget is used up: nothing more is done until a person resets the check. */
  GAVE_UP,
  /** Its service was stopped on purpose; nothing is counted until it is started again. */
  PAUSED
}
