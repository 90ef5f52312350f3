package dev.kelpie.shared.program;

import org.slf4j.Logger;

import java.net.BindException;

/** What the agent and the coordinator do alike as programs: name a taken port in one line, stop on a signal. */
public final class ProgramLifecycle {

  private ProgramLifecycle() {
  }

  /** A port taken by another program is one line naming it, not a stack trace. */
  public static boolean bindFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  /**
   * SIGTERM (systemd, docker, kill) and SIGINT (Ctrl-C): one line, then the program's shutdown hook runs;
   * exit 128 + signal.
   */
  @SuppressWarnings("removal")
  public static void stopOnSignals(Logger log) {
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
        log.info("stopping (SIG{})", signal.getName());
        System.exit(128 + signal.getNumber());
      });
    }
  }
}
