package dev.kelpie.agent.supervise;

/**
 * A process as the kernel knows it: a pid alone can be reused by a stranger after the process ends, the pid with its
 * start time (clock ticks after boot) cannot.
 */
record ProcessId(long pid, long startTime) {

  /** Blocking: reads /proc. */
  boolean alive() {
    return ProcessTable.stat(pid).filter(stat -> stat.startTime() == startTime && stat.running()).isPresent();
  }

  @Override
  public String toString() {
    return Long.toString(pid);
  }
}
