package dev.kelpie.agent.supervise.manager;

/** Why the service manager could not act, with a message naming the manager and what it said. */
public final class ManagerException extends RuntimeException {

  public enum Code {
    /** Not there: no socket, connection refused, no such program on the host, not booted with systemd. */
    UNREACHABLE,
    /** There, but it said no: unknown unit, program or container; permission denied; bad credentials. */
    REFUSED,
    /** It tried and failed (the service would not start, a stop did not finish). */
    FAILED,
    /** No answer within the configured timeout. */
    TIMED_OUT
  }

  private final Code code;

  public ManagerException(Code code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
