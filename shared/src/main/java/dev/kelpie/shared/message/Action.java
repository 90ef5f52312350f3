package dev.kelpie.shared.message;

/** What a command asks an agent to do with one of its services. */
public enum Action {
  /** Kill the whole tree (TERM, grace, KILL) and leave it down. Like stop, but reported as a kill. */
  KILL,
  /** Kill the whole tree, wait for its port to be free, and spawn it again. */
  RESTART,
  /** Spawn the service if it is not running. */
  START,
  /** Kill the whole tree and keep it down until a start. */
  STOP,
  /** Take the evidence a kill would take (thread dump, /proc status, output tail), and leave the service be. */
  DUMP,
  /**
   * Fix what a check found (stuck jobs set to failed), or only list it in a dry run; the command's {@code service}
   * names the check. The result carries a {@link CommandResult.Remediation}.
   */
  REMEDIATE
}
