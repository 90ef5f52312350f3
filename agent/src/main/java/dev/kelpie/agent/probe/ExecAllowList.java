package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The programs exec checks may run, from the agent's own config only ({@code execAllow:}), each pinned by the
 * SHA-256 of its file as Sensu's agent allow-list pins them. Nothing a coordinator or a hello says can add one.
 */
public record ExecAllowList(Map<Path, String> sha256ByProgram) {

  public static final ExecAllowList EMPTY = new ExecAllowList(Map.of());
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public ExecAllowList {
    sha256ByProgram = Map.copyOf(sha256ByProgram);
  }

  /** One entry: {@code {program: /usr/lib/nagios/plugins/check_disk, sha256: <64 hex digits>}}. */
  public record Entry(Path program, String sha256) {
  }

  public Optional<String> pinned(Path program) {
    return Optional.ofNullable(sha256ByProgram.get(program));
  }

  /** Reads the {@code key} list of {@code root}: every problem reported there, with its path. */
  public static ExecAllowList read(ConfigNode root, String key) {
    Map<Path, String> pins = new HashMap<>();
    root.list(key, node -> {
      Entry entry = entry(node);
      if (entry != null && pins.putIfAbsent(entry.program(), entry.sha256()) != null) {
        node.problem("program", entry.program() + " is already on the list; give each program once");
      }
      return entry;
    });
    return new ExecAllowList(pins);
  }

  private static Entry entry(ConfigNode node) {
    String program = node.string("program", "the program's absolute path, like /usr/lib/nagios/plugins/check_disk");
    String sha256 = node.string("sha256", "the SHA-256 of the program file, as `sha256sum <program>` prints it");
    boolean usable = program != null && sha256 != null;
    if (program != null && !Path.of(program).isAbsolute()) {
      node.problem("program", "expected an absolute path (no PATH lookup is done), got \"" + program + "\"");
      usable = false;
    }
    String hex = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
    if (hex != null && !SHA256.matcher(hex).matches()) {
      node.problem("sha256", "expected 64 hex digits, as `sha256sum " + (program == null ? "<program>" : program)
        + "` prints them, got \"" + sha256 + "\"");
      usable = false;
    }
    return usable ? new Entry(Path.of(program).normalize(), hex) : null;
  }
}
