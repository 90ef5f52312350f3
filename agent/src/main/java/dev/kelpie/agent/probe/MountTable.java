package dev.kelpie.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The kernel's list of mounts (/proc/self/mountinfo): reading it never touches the mounted file systems. */
final class MountTable {

  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {
  }

  /** The file system type mounted at exactly {@code mountPoint} (the last mount there wins), if any. */
  static Optional<String> typeAt(Path mountPoint) throws IOException {
    String wanted = mountPoint.normalize().toString();
    String type = null;
    for (String line : Files.readAllLines(MOUNTINFO)) {
      String[] fields = line.split(" ");
      int dash = line.indexOf(" - ");
      if (fields.length > 4 && dash > 0 && unescape(fields[4]).equals(wanted)) {
        type = line.substring(dash + 3).split(" ")[0];
      }
    }
    return Optional.ofNullable(type);
  }

  /** mountinfo writes space, tab, newline and backslash as octal escapes (\040). */
  private static String unescape(String field) {
    StringBuilder text = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        text.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        text.append(c);
      }
    }
    return text.toString();
  }
}
