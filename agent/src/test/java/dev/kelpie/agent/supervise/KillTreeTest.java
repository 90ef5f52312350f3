package dev.kelpie.agent.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Killing real process trees, and reading /proc about them. */
class KillTreeTest {

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    started.forEach(p -> {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    });
  }

  private Process bash(String script) throws IOException {
    Process process = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    started.add(process);
    return process;
  }

  private static void awaitChildren(Process parent, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (parent.descendants().count() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(parent.descendants().count()).isGreaterThanOrEqualTo(count);
  }

  @Test
  @DisplayName("TERM ends a tree that honours it, children included, without KILL")
  void termEndsTree() throws Exception {
    Process parent = bash("sleep 1000 & sleep 1000 & wait");
    awaitChildren(parent, 2);
    List<Long> children = parent.descendants().map(ProcessHandle::pid).toList();
    long start = ProcessTable.startTime(parent.pid()).orElseThrow();

    KillTree.Outcome outcome = new KillTree(Clock.systemUTC()).kill(parent.pid(), start, "TERM",
      Duration.ofSeconds(5), null, Duration.ZERO);

    assertThat(outcome.gone()).isTrue();
    assertThat(outcome.needingKill()).isEmpty();
    assertThat(outcome.signalled()).contains(parent.pid()).containsAll(children);
    children.forEach(pid -> assertThat(ProcessTable.alive(pid)).isFalse());
  }

  @Test
  @DisplayName("a tree that ignores TERM is KILLed once the grace is over, and not before")
  void killAfterGrace() throws Exception {
    Process parent = bash("trap '' TERM; while true; do sleep 0.2; done");
    long start = ProcessTable.startTime(parent.pid()).orElseThrow();
    long began = System.nanoTime();

    KillTree.Outcome outcome = new KillTree(Clock.systemUTC()).kill(parent.pid(), start, "TERM",
      Duration.ofMillis(800), null, Duration.ZERO);

    assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    assertThat(outcome.needingKill()).contains(parent.pid());
    assertThat(outcome.gone()).isTrue();
    assertThat(ProcessTable.alive(parent.pid())).isFalse();
  }

  @Test
  @DisplayName("a pid whose start time differs is someone else's: nothing is signalled")
  void reusedPid() throws Exception {
    Process other = bash("sleep 1000");
    long start = ProcessTable.startTime(other.pid()).orElseThrow();

    KillTree.Outcome outcome = new KillTree(Clock.systemUTC()).kill(other.pid(), start - 1, "TERM",
      Duration.ofMillis(100), null, Duration.ZERO);

    assertThat(outcome.signalled()).isEmpty();
    assertThat(other.isAlive()).isTrue();
    assertThat(ProcessTable.same(other.pid(), start)).isTrue();
  }

  @Test
  @DisplayName("/proc tells who listens on a port, and when it is free again")
  void listener() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      assertThat(ProcessTable.listening(socket.getLocalPort())).isTrue();
      assertThat(ProcessTable.listener(socket.getLocalPort())).contains(ProcessHandle.current().pid());
      int port = socket.getLocalPort();
      socket.close();
      assertThat(ProcessTable.listening(port)).isFalse();
    }
  }
}
