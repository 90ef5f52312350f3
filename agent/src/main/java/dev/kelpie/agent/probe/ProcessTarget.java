package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.nio.file.Path;
import java.util.List;

/** Which process a process check watches: exactly one of a supervised service, a pidfile, a command-line regex. */
public record ProcessTarget(String service, Path pidfile, String pattern) implements ProbeTarget {

  static final List<String> KEYS = List.of("pidfile", "pattern");

  @Override
  public String describe() {
    return service != null ? "service " + service
      : pidfile != null ? "pidfile " + pidfile : "command line /" + pattern + "/";
  }

  static ProcessTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    String pidfile = node.optionalString("pidfile", null);
    String pattern = node.optionalRegex("pattern");
    int given = (check.service() == null ? 0 : 1) + (node.has("pidfile") ? 1 : 0) + (node.has("pattern") ? 1 : 0);
    if (given != 1) {
      node.problem("", "a process check needs exactly one of service, pidfile, pattern; got " + given);
    }
    return new ProcessTarget(check.service(), pidfile == null ? null : Path.of(pidfile), pattern);
  }
}
