package dev.kelpie.shared.config;

import java.util.Optional;
import java.util.regex.Pattern;

/** The one spelling of every Kelpie name (agent ids, service names, check ids): 1 to 64 letters, digits, . _ or -. */
public final class Identifier {

  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Identifier() {
  }

  /** Why {@code id} is not a valid name, or empty when it is. */
  public static Optional<String> problem(String id) {
    if (FORM.matcher(id).matches()) {
      return Optional.empty();
    }
    return Optional.of("expected 1 to 64 letters, digits, '.', '_' or '-', got \"" + id + "\"");
  }
}
