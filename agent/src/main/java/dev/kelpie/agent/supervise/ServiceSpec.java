package dev.kelpie.agent.supervise;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the supervisor needs to know about one service. {@code stopSignal} is a name without the SIG prefix (TERM,
 * INT, HUP, QUIT, USR1, USR2); {@code workdir}, {@code port} and {@code adopt} may be null.
 */
public record ServiceSpec(String name, List<String> command, Path workdir, Map<String, String> env, String stopSignal,
                          Duration stopGrace, Integer port, Adopt adopt, boolean autostart,
                          Duration portReleaseTimeout) {

  public ServiceSpec {
    command = List.copyOf(command);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  /**
   * How to recognise an instance that is already running, tried in this order: a pidfile, the listener on a port, the
   * first process whose command line (arguments joined by spaces) contains a match of {@code pattern}. Any may be null.
   */
  public record Adopt(Path pidfile, Integer port, String pattern) {
  }
}
