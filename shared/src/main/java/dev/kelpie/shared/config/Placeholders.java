package dev.kelpie.shared.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code ${VAR}} and {@code ${VAR:-default}} in a string from the environment. As in a shell, the default is
 * taken when the variable is unset or empty; an unset variable without a default is a problem, never a silent "".
 */
public final class Placeholders {

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

  private final Map<String, String> env;

  public Placeholders(Map<String, String> env) {
    this.env = env;
  }

  /** The text with every placeholder filled; {@code unset} hears the name of each variable that has no value. */
  public String fill(String text, Consumer<String> unset) {
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      String value = env.get(name);
      if (matcher.group(2) != null && (value == null || value.isEmpty())) {
        value = matcher.group(3);
      }
      if (value == null) {
        unset.accept(name);
        value = "";
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
