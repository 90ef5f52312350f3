package dev.kelpie.agent.supervise;

import java.io.IOException;
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

/** What Linux's /proc says about processes and listening sockets. Every method blocks: call it on a worker. */
final class ProcessTable {

  private static final Path PROC = Path.of("/proc");

  private ProcessTable() {
  }

  /** Clock ticks since boot when the process started (field 22 of /proc/pid/stat); empty when it is gone. */
  static Optional<Long> startTime(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(Long.parseLong(fields[19]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether the process runs and is the same one that started at {@code startTime} (not a reused pid). */
  static boolean same(long pid, long startTime) {
    return startTime(pid).map(t -> t == startTime).orElse(false) && !zombie(pid);
  }

  static boolean zombie(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
  }

  static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
      return new String(raw).replace('\0', ' ').trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** The process and all its descendants, parents first. */
  static List<Long> tree(long pid) {
    Set<Long> members = new LinkedHashSet<>();
    ProcessHandle.of(pid).ifPresent(root -> {
      members.add(root.pid());
      root.descendants().forEach(child -> members.add(child.pid()));
    });
    return new ArrayList<>(members);
  }

  /** The first process (other than this JVM) whose command line matches. */
  static Optional<Long> matching(Pattern pattern) {
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
      .map(ProcessHandle::pid)
      .filter(pid -> pid != self)
      .filter(pid -> pattern.matcher(commandLine(pid)).find())
      .findFirst();
  }

  /** Whether anything listens on this TCP port, on any address, IPv4 or IPv6. */
  static boolean listening(int port) {
    return !listeningInodes(port).isEmpty();
  }

  /** The process that owns a socket listening on this TCP port. */
  static Optional<Long> listener(int port) {
    Set<String> inodes = listeningInodes(port);
    if (inodes.isEmpty()) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path process : processes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
          for (Path fd : fds) {
            String link = Files.readSymbolicLink(fd).toString();
            if (link.startsWith("socket:[") && inodes.contains(link.substring(8, link.length() - 1))) {
              return Optional.of(Long.parseLong(process.getFileName().toString()));
            }
          }
        } catch (IOException | SecurityException e) {
          // a process that ended while being read, or one we may not look into
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Set<String> listeningInodes(int port) {
    Set<String> inodes = new HashSet<>();
    String hexPort = String.format(":%04X", port);
    for (String table : List.of("tcp", "tcp6")) {
      try {
        for (String line : Files.readAllLines(PROC.resolve("net").resolve(table))) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[1].endsWith(hexPort) && "0A".equals(f[3])) {
            inodes.add(f[9]);
          }
        }
      } catch (IOException e) {
        // no IPv6 on this host
      }
    }
    return inodes;
  }
}
