package dev.kelpie.agent.supervise;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Linux's /proc says about processes and listening sockets. Every method blocks: call it on a worker. Public for
 * the {@code kelpie} command line's local commands (who-holds, force-clean), which read /proc the same way.
 */
public final class ProcessTable {

  private static final Path PROC = Path.of("/proc");
  private static final String LISTEN = "0A";

  private ProcessTable() {
  }

  /** The fields of /proc/pid/stat the supervisor uses. */
  public record Stat(char state, long parentPid, long session, long startTime) {

    /** Zombies and dead entries are no longer running, though /proc still lists them. */
    public boolean running() {
      return state != 'Z' && state != 'X';
    }
  }

  public static Optional<Stat> stat(long pid) {
    try {
      return Optional.of(parseStat(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The command name (field 2) may hold spaces and parentheses, so the fields are counted after the last ')'. */
  static Stat parseStat(String line) {
    String[] f = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
    return new Stat(f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[3]), Long.parseLong(f[19]));
  }

  static Optional<ProcessId> identify(long pid) {
    return stat(pid).filter(Stat::running).map(stat -> new ProcessId(pid, stat.startTime()));
  }

  /** The arguments joined by spaces; empty for kernel threads and processes that are gone. */
  public static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The process, its descendants, and, when it leads a session, every other member of that session: a child whose
   * parent died was reparented away from the tree but still belongs to the service.
   */
  public static List<Long> tree(long pid) {
    Set<Long> members = new LinkedHashSet<>();
    ProcessHandle.of(pid).ifPresent(root -> {
      members.add(root.pid());
      root.descendants().forEach(child -> members.add(child.pid()));
    });
    if (!members.isEmpty() && stat(pid).map(s -> s.session() == pid).orElse(false)) {
      for (long other : pids()) {
        if (stat(other).map(s -> s.session() == pid).orElse(false)) {
          members.add(other);
        }
      }
    }
    return new ArrayList<>(members);
  }

  /** The first process outside {@code excluded} whose command line contains a match. */
  static Optional<Long> matching(Pattern pattern, Set<Long> excluded) {
    for (long pid : pids()) {
      if (!excluded.contains(pid) && stat(pid).map(Stat::running).orElse(false)) {
        String line = commandLine(pid);
        if (!line.isEmpty() && pattern.matcher(line).find()) {
          return Optional.of(pid);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether anything listens on this TCP port, on any address, IPv4 or IPv6. */
  public static boolean listening(int port) {
    return !listeningInodes(port).isEmpty();
  }

  /** The lowest pid holding a socket that listens on this TCP port (a forking server's parent, usually). */
  public static Optional<Long> listener(int port) {
    Set<String> sockets = new HashSet<>();
    listeningInodes(port).forEach(inode -> sockets.add("socket:[" + inode + "]"));
    if (sockets.isEmpty()) {
      return Optional.empty();
    }
    for (long pid : pids()) {
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
        for (Path fd : fds) {
          if (sockets.contains(readLink(fd))) {
            return Optional.of(pid);
          }
        }
      } catch (IOException | SecurityException e) {
        // ended while being read, or not ours to look into
      }
    }
    return Optional.empty();
  }

  private static String readLink(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString();
    } catch (IOException e) {
      return "";
    }
  }

  private static Set<String> listeningInodes(int port) {
    Set<String> inodes = new HashSet<>();
    String localPort = String.format(":%04X", port);
    for (String table : List.of("tcp", "tcp6")) {
      try {
        for (String line : Files.readAllLines(PROC.resolve("net").resolve(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[1].endsWith(localPort) && LISTEN.equals(f[3])) {
            inodes.add(f[9]);
          }
        }
      } catch (IOException e) {
        // no IPv6 on this host
      }
    }
    return inodes;
  }

  /** Every pid in /proc, in ascending order. */
  private static List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path entry : entries) {
        pids.add(Long.parseLong(entry.getFileName().toString()));
      }
    } catch (IOException | NumberFormatException e) {
      return pids;
    }
    pids.sort(null);
    return pids;
  }
}
