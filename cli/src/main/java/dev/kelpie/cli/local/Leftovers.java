package dev.kelpie.cli.local;

import dev.kelpie.agent.supervise.ProcessTable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What is left of a service on this host, each with why it counts: the process of its pid record, that process's
 * tree and every member of its session (even when the leader is gone: a grandchild keeps the session id), the
 * process of its own pidfile, and whoever holds its port, stranger or not.
 */
final class Leftovers {

  record Leftover(ProcessHandle process, String command, String why) {
  }

  private final Map<Long, Leftover> found = new LinkedHashMap<>();

  Map<Long, Leftover> found() {
    return found;
  }

  void recorded(long pid, String service) {
    if (ProcessHandle.of(pid).isPresent() && !found.containsKey(pid)) {
      ProcessTable.tree(pid).forEach(member -> add(member, member == pid ? "the process of " + service
        + "'s pid record" : "in the process tree or session of " + service));
    }
    ProcessHandle.allProcesses()
      .filter(p -> ProcessTable.stat(p.pid()).map(s -> s.session() == pid && s.running()).orElse(false))
      .forEach(p -> add(p.pid(), "in the session of " + service + " (" + pid + ")"));
  }

  void pidfile(Path file, String service) {
    readPid(file).ifPresent(pid -> ProcessTable.tree(pid).forEach(member ->
      add(member, member == pid ? "named by " + service + "'s pidfile " + file : "in the tree of " + service
        + "'s pidfile process")));
  }

  /** Whoever holds the port now, with its tree; whether it was a stranger to the service is in the reason. */
  boolean port(int port, String service) {
    Optional<Long> holder = ProcessTable.listener(port);
    if (holder.isEmpty() || found.containsKey(holder.get())) {
      return false;
    }
    long pid = holder.get();
    ProcessTable.tree(pid).forEach(member -> add(member, member == pid
      ? "holding " + service + "'s port " + port + " (a stranger to its pid record and session)"
      : "in the tree of the process holding port " + port));
    return true;
  }

  private void add(long pid, String why) {
    if (pid == ProcessHandle.current().pid() || found.containsKey(pid)) {
      return;
    }
    ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(handle ->
      found.put(pid, new Leftover(handle, ProcessTable.commandLine(pid), why)));
  }

  private static Optional<Long> readPid(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).trim().split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
