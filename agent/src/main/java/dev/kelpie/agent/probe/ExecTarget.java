package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.nio.file.Path;
import java.util.List;

/**
 * The target of an exec check: a program from the allow-list with its arguments (no shell), the SHA-256 its file
 * must have, and whether a Nagios WARNING (exit 1) counts as down.
 */
public record ExecTarget(List<String> command, String sha256, boolean warningFails) implements ProbeTarget {

  static final List<String> KEYS = List.of("command", "warningFails");

  public ExecTarget {
    command = List.copyOf(command);
  }

  public Path program() {
    return Path.of(command.get(0));
  }

  @Override
  public String describe() {
    return "exec " + String.join(" ", command);
  }

  static ExecTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    List<String> command = node.optionalStringList("command", "[/usr/lib/nagios/plugins/check_disk, -w, 10%]");
    boolean warningFails = node.optionalBool("warningFails", false);
    if (command == null) {
      if (!node.has("command")) {
        node.problem("command", "missing; expected the program and its arguments as a list, like "
          + "[/usr/lib/nagios/plugins/check_disk, -w, 10%] (no shell is used)");
      }
      return new ExecTarget(List.of("?"), null, warningFails);
    }
    if (command.isEmpty()) {
      node.problem("command", "must name a program to run, like [/usr/lib/nagios/plugins/check_disk, -w, 10%]");
      return new ExecTarget(List.of("?"), null, warningFails);
    }
    String program = command.get(0);
    if (!Path.of(program).isAbsolute()) {
      node.problem("command", "the program must be an absolute path (no PATH lookup is done), got \"" + program + "\"");
      return new ExecTarget(command, null, warningFails);
    }
    String sha256 = check.execAllow().pinned(Path.of(program).normalize()).orElse(null);
    if (sha256 == null) {
      node.problem("command", program + " is not on the exec allow-list; add it under execAllow: with its SHA-256 "
        + "(sha256sum " + program + ")");
    }
    return new ExecTarget(command, sha256, warningFails);
  }
}
