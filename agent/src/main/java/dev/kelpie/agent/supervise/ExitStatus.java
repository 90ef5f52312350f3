package dev.kelpie.agent.supervise;

import java.util.Map;

/**
 * How a process ended: an exit code, or the signal that killed it (Java reports death by signal N as 128+N), or
 * neither when the process was not the agent's child and its status is unknown.
 */
record ExitStatus(Integer code, String signal) {

  private static final int SIGNAL_BASE = 128;
  private static final int LAST_SIGNAL = 64;
  private static final Map<Integer, String> NAMES = Map.ofEntries(
    Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"), Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"),
    Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"),
    Map.entry(9, "SIGKILL"), Map.entry(10, "SIGUSR1"), Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"),
    Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"), Map.entry(16, "SIGSTKFLT"),
    Map.entry(17, "SIGCHLD"), Map.entry(18, "SIGCONT"), Map.entry(19, "SIGSTOP"), Map.entry(20, "SIGTSTP"),
    Map.entry(21, "SIGTTIN"), Map.entry(22, "SIGTTOU"), Map.entry(23, "SIGURG"), Map.entry(24, "SIGXCPU"),
    Map.entry(25, "SIGXFSZ"), Map.entry(26, "SIGVTALRM"), Map.entry(27, "SIGPROF"), Map.entry(28, "SIGWINCH"),
    Map.entry(29, "SIGIO"), Map.entry(30, "SIGPWR"), Map.entry(31, "SIGSYS"));

  static final ExitStatus UNKNOWN = new ExitStatus(null, null);

  static ExitStatus of(int exitValue) {
    if (exitValue > SIGNAL_BASE && exitValue <= SIGNAL_BASE + LAST_SIGNAL) {
      int number = exitValue - SIGNAL_BASE;
      return new ExitStatus(null, NAMES.getOrDefault(number, "SIG" + number));
    }
    return new ExitStatus(exitValue, null);
  }

  String sentence() {
    return code != null ? "exited with code " + code
      : signal != null ? "was killed by " + signal
      : "exited (status unknown: not a child of this agent)";
  }
}
