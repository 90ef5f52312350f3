package dev.kelpie.agent.supervise;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stops a whole process tree the way an operator would by hand: the stop signal to every member (then SIGCONT, so a
 * stopped process can act on it), the grace period, SIGKILL for whatever is left (including children forked
 * meanwhile), then a bounded wait until the service's port is free. Blocks for as long as that takes: run it on a
 * worker.
 */
final class KillTree {

  /** What it took; the times let the caller report each step as it happened. */
  record Outcome(List<Long> signalled, Instant signalledAt, List<Long> needingKill, Instant goneAt, boolean gone,
                 Integer port, Instant portFreeAt, boolean portFree) {

    String killDetail(String signal, Duration grace) {
      if (!gone) {
        return "processes " + needingKill + " survived SIGKILL";
      }
      return needingKill.isEmpty()
        ? "tree " + signalled + " ended on SIG" + signal
        : "SIGKILL needed for " + needingKill + " after the " + grace.toMillis() + " ms grace";
    }
  }

  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Clock clock;

  KillTree(Clock clock) {
    this.clock = clock;
  }

  Outcome kill(long root, long rootStartTime, String signal, Duration grace, Integer port, Duration portTimeout)
    throws IOException, InterruptedException {
    Map<Long, Long> members = ProcessTable.same(root, rootStartTime) ? snapshot(List.of(root)) : new LinkedHashMap<>();
    List<Long> signalled = new ArrayList<>(members.keySet());
    Instant signalledAt = clock.instant();
    send(signal, signalled);
    send("CONT", signalled);
    waitGone(members, grace);
    Map<Long, Long> survivors = snapshot(alive(members));
    List<Long> needingKill = new ArrayList<>(survivors.keySet());
    if (!survivors.isEmpty()) {
      send("KILL", needingKill);
      waitGone(survivors, KILL_WAIT);
    }
    boolean gone = alive(survivors).isEmpty();
    Instant goneAt = clock.instant();
    boolean portFree = true;
    if (port != null) {
      portFree = waitPortFree(port, portTimeout);
    }
    return new Outcome(signalled, signalledAt, needingKill, goneAt, gone, port, clock.instant(), portFree);
  }

  private static Map<Long, Long> snapshot(List<Long> roots) {
    Map<Long, Long> members = new LinkedHashMap<>();
    for (long root : roots) {
      for (long pid : ProcessTable.tree(root)) {
        ProcessTable.startTime(pid).ifPresent(start -> members.putIfAbsent(pid, start));
      }
    }
    return members;
  }

  private static List<Long> alive(Map<Long, Long> members) {
    List<Long> alive = new ArrayList<>();
    members.forEach((pid, start) -> {
      if (ProcessTable.same(pid, start)) {
        alive.add(pid);
      }
    });
    return alive;
  }

  private static void waitGone(Map<Long, Long> members, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!alive(members).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL.toMillis());
    }
  }

  private static boolean waitPortFree(int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (ProcessTable.listening(port)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(POLL.toMillis());
    }
    return true;
  }

  static void send(String signal, List<Long> pids) throws IOException, InterruptedException {
    if (pids.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("kill", "-s", signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    Process kill = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    kill.waitFor();
  }
}
