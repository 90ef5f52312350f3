package dev.kelpie.shared.message;

import java.util.Locale;

/**
 * The kind of probe behind a check, carried as its name ({@code "http"}, {@code "exec"}, ...). The set is open: a
 * coordinator accepts a name it has never heard of, from a newer agent, and judges that check's results as up or
 * down like any other. Only the agent, reading its own config, insists on a kind it can run.
 */
public record CheckType(String name) {

  public static final CheckType HTTP = new CheckType("http");
  public static final CheckType TCP = new CheckType("tcp");
  public static final CheckType PROCESS = new CheckType("process");

  public CheckType {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a check type needs a name");
    }
    name = name.toLowerCase(Locale.ROOT);
  }

  public static CheckType of(String name) {
    return new CheckType(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
