package dev.kelpie.shared.config;

import java.util.List;

/** A configuration that cannot be used; the message lists every problem, one a line, each naming file and path. */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
