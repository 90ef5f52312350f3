package dev.kelpie.shared.config;

import java.util.Optional;

/** The one spelling of every Kelpie name (agent ids, service names, check ids): 1 to 64 letters, digits, . _ or -. */
public final class Identifier {

  private Identifier() {
  }

  /** Why {@code id} is not a valid name, or empty when it is. */
  public static Optional<String> problem(String id) {
    if (wellFormed(id)) {
      return Optional.empty();
    }
    return Optional.of("expected 1 to 64 letters, digits, '.', '_' or '-', got \"" + id + "\"");
  }

  /**
   * {@code [A-Za-z0-9._-]{1,64}}, spelled out: every agent id, check id and service name of every message is held
   * to it, tens of thousands a second on a busy coordinator, and a regular expression's matcher is an allocation each.
   */
  private static boolean wellFormed(String id) {
    int length = id.length();
    if (length < 1 || length > 64) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = id.charAt(i);
      boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
        || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }
}
