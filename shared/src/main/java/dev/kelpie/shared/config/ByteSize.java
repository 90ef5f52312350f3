package dev.kelpie.shared.config;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size in bytes as the config writes it: a whole number, or one with KB, MB or GB (powers of 1024). */
public final class ByteSize {

  public static final String EXPECTED = "expected a size in bytes like 65536, 64KB or 1MB";

  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(B|KB|MB|GB)?");

  private ByteSize() {
  }

  public static OptionalLong parse(String text) {
    Matcher matcher = FORM.matcher(text);
    if (!matcher.matches()) {
      return OptionalLong.empty();
    }
    long amount = Long.parseLong(matcher.group(1));
    String unit = matcher.group(2) == null ? "B" : matcher.group(2);
    return OptionalLong.of(switch (unit) {
      case "KB" -> amount << 10;
      case "MB" -> amount << 20;
      case "GB" -> amount << 30;
      default -> amount;
    });
  }
}
