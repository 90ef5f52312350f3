package dev.kelpie.shared.message;

/** The steps of a supervised process's life that an agent reports. */
public enum ProcessEventType {
  /** Spawned by the agent. */
  STARTED,
  /** Found already running (after an agent restart, or started by someone else) and taken under supervision. */
  ADOPTED,
  /** Could not be spawned (bad command, missing directory...). */
  START_FAILED,
  /** A stop signal was sent to the whole process tree. */
  SIGNALLED,
  /** Exited on its own, with an exit code or a signal. */
  EXITED,
  /** Its whole tree is gone after the agent stopped it (TERM, grace, then KILL if needed). */
  KILLED,
  /** The service's port is free again after a kill. */
  PORT_RELEASED
}
