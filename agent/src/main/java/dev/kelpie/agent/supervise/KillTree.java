package dev.kelpie.agent.supervise;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stops a service's whole process tree the way an operator would by hand: the stop signal to every member, SIGCONT
 * (a stopped process only acts on the signal once continued), the grace period, SIGKILL for whatever is left and
 * for children forked meanwhile, then, when the service has a port, a bounded wait until nothing listens on it.
 * Each step blocks for as long as it takes: run it on a worker. Members are kept with their start times, so a pid
 * that ends and is reused by a stranger is never signalled.
 */
final class KillTree {

  private static final long POLL_MILLIS = 50;
  static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Map<Long, ProcessId> members;
  private final long startedNanos = System.nanoTime();

  private KillTree(Map<Long, ProcessId> members) {
    this.members = members;
  }

  /** Who was signalled, who needed SIGKILL, who survived even that, and how long it took. */
  record Summary(List<Long> signalled, List<Long> needingKill, List<Long> survivors, Duration took) {

    boolean gone() {
      return survivors.isEmpty();
    }

    String sentence(String signal, Duration grace) {
      if (signalled.isEmpty()) {
        return "had already ended";
      }
      String ended = needingKill.isEmpty()
        ? "tree " + signalled + " ended on SIG" + signal
        : "tree " + signalled + " got SIG" + signal + ", SIGKILL needed for " + needingKill + " after the "
          + grace.toMillis() + " ms grace";
      return ended + (gone() ? "" : "; " + survivors + " survived SIGKILL") + " (" + took.toMillis() + " ms)";
    }
  }

  /** The root with every descendant; empty when the root is no longer the process it was. */
  static KillTree of(ProcessId root) {
    return new KillTree(root.alive() ? snapshot(List.of(root.pid())) : new LinkedHashMap<>());
  }

  List<Long> members() {
    return new ArrayList<>(members.keySet());
  }

  /** The stop signal (a name such as TERM), then SIGCONT, to every member still alive. */
  void signal(String signal) throws IOException, InterruptedException {
    send(signal, alive(members));
    send("CONT", alive(members));
  }

  /** Waits up to {@code grace} for the members to go, then SIGKILLs the rest and their descendants. */
  Summary finish(Duration grace) throws IOException, InterruptedException {
    awaitGone(members, grace);
    Map<Long, ProcessId> left = snapshot(alive(members));
    if (!left.isEmpty()) {
      send("KILL", new ArrayList<>(left.keySet()));
      awaitGone(left, KILL_WAIT);
    }
    return new Summary(members(), new ArrayList<>(left.keySet()), alive(left),
      Duration.ofNanos(System.nanoTime() - startedNanos));
  }

  /** Whether the port was free within {@code limit}. */
  static boolean awaitPortFree(int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (ProcessTable.listening(port)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return true;
  }

  private static Map<Long, ProcessId> snapshot(List<Long> roots) {
    Map<Long, ProcessId> snapshot = new LinkedHashMap<>();
    for (long root : roots) {
      for (long pid : ProcessTable.tree(root)) {
        ProcessTable.identify(pid).ifPresent(id -> snapshot.putIfAbsent(pid, id));
      }
    }
    return snapshot;
  }

  private static List<Long> alive(Map<Long, ProcessId> processes) {
    List<Long> alive = new ArrayList<>();
    processes.values().forEach(id -> {
      if (id.alive()) {
        alive.add(id.pid());
      }
    });
    return alive;
  }

  private static void awaitGone(Map<Long, ProcessId> processes, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!alive(processes).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL_MILLIS);
    }
  }

  private static void send(String signal, List<Long> pids) throws IOException, InterruptedException {
    if (pids.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    // a member that ended since the last look makes kill complain; the others are still signalled
    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
      .waitFor();
  }
}
