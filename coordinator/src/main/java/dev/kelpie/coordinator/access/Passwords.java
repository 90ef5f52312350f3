package dev.kelpie.coordinator.access;

import at.favre.lib.crypto.bcrypt.BCrypt;

import java.nio.charset.StandardCharsets;

/**
 * bcrypt, through a maintained library (at.favre.lib:bcrypt) rather than by hand; hashes are interchangeable with
 * {@code htpasswd -nbB} and other tools. Both methods take about a quarter of a second on purpose: call them on a
 * worker thread, never on an event loop.
 */
public final class Passwords {

  /** 2^12 rounds: about 250 ms here, what OWASP suggests as a floor for bcrypt. */
  public static final int COST = 12;

  /** Compared against when the user is unknown, so that an unknown name takes as long as a wrong password. */
  private static final String NOBODY = hash("no such user".toCharArray());

  private Passwords() {
  }

  public static String hash(char[] password) {
    return BCrypt.withDefaults().hashToString(COST, password);
  }

  /** Whether {@code password} matches {@code hash}; null hash (unknown user) costs the same time and is false. */
  public static boolean matches(String password, String hash) {
    byte[] given = password.getBytes(StandardCharsets.UTF_8);
    if (given.length > 72) {
      return false;   // bcrypt reads 72 bytes; anything longer would match on its prefix
    }
    boolean verified = BCrypt.verifyer().verify(given, (hash == null ? NOBODY : hash)
      .getBytes(StandardCharsets.UTF_8)).verified;
    return hash != null && verified;
  }
}
