package dev.kelpie.coordinator;

import dev.kelpie.coordinator.access.Passwords;
import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code kelpie-coordinator hash-password}: prints the bcrypt hash to put in {@code access.users[].passwordHash}.
 * Asks twice on a terminal without echo; otherwise reads one line from standard input (for scripts).
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
  description = "Print the bcrypt hash of a password, for access.users[].passwordHash in the coordinator's config.")
final class HashPassword implements Callable<Integer> {

  @Override
  public Integer call() throws IOException {
    char[] password;
    Console console = System.console();
    if (console != null) {
      password = console.readPassword("Password: ");
      char[] again = console.readPassword("Again: ");
      if (password == null || !Arrays.equals(password, again)) {
        System.err.println("the two passwords differ; nothing printed");
        return 1;
      }
    } else {
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      password = line == null ? new char[0] : line.toCharArray();
    }
    if (password.length == 0) {
      System.err.println("empty password; nothing printed");
      return 1;
    }
    if (new String(password).getBytes(StandardCharsets.UTF_8).length > 72) {
      System.err.println("longer than 72 bytes, which bcrypt cannot tell apart; use a shorter one");
      return 1;
    }
    System.out.println(Passwords.hash(password));
    return 0;
  }
}
