package dev.kelpie.agent.supervise;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Killing real process trees, without a supervisor around them. */
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

  private static void awaitChildren(Process parent, int count) {
    SupervisorHarness.await(() -> parent.descendants().count() >= count, count + " children of " + parent.pid());
  }

  private static ProcessId id(Process process) {
    return ProcessTable.identify(process.pid()).orElseThrow();
  }

  private static KillTree.Summary kill(ProcessId root, Duration grace) throws Exception {
    KillTree tree = KillTree.of(root);
    tree.signal("TERM");
    return tree.finish(grace);
  }

  @Test
  @DisplayName("TERM ends a tree that honours it, children included, without KILL")
  void termEndsTree() throws Exception {
    Process parent = bash("sleep 1000 & sleep 1000 & wait");
    awaitChildren(parent, 2);
    List<ProcessId> children = parent.descendants().map(c -> ProcessTable.identify(c.pid()).orElseThrow()).toList();

    KillTree.Summary summary = kill(id(parent), Duration.ofSeconds(5));

    assertThat(summary.gone()).isTrue();
    assertThat(summary.needingKill()).isEmpty();
    assertThat(summary.signalled()).contains(parent.pid()).containsAll(children.stream().map(ProcessId::pid).toList());
    assertThat(children).noneMatch(ProcessId::alive);
    assertThat(summary.took()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("A tree that ignores TERM is KILLed once the grace is over, and not before")
  void killAfterGrace() throws Exception {
    Process parent = bash("trap '' TERM; echo; while true; do sleep 0.2; done");
    awaitChildren(parent, 1);
    ProcessId root = id(parent);
    long began = System.nanoTime();

    KillTree.Summary summary = kill(root, Duration.ofMillis(800));

    assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    assertThat(summary.needingKill()).contains(parent.pid());
    assertThat(summary.gone()).isTrue();
    assertThat(root.alive()).isFalse();
    assertThat(summary.sentence("TERM", Duration.ofMillis(800))).contains("SIGKILL needed for");
  }

  @Test
  @DisplayName("A child whose parent died is still in the tree: it shares the session the service leads")
  void orphanInTheSessionIsKilled() throws Exception {
    Process leader = new ProcessBuilder("setsid", "bash", "-c", "(trap '' TERM; exec sleep 1000) & exec sleep 1000")
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    started.add(leader);
    awaitChildren(leader, 1);
    ProcessId orphan = ProcessTable.identify(leader.descendants().findFirst().orElseThrow().pid()).orElseThrow();
    ProcessId root = id(leader);

    KillTree.Summary summary = kill(root, Duration.ofMillis(300));

    assertThat(summary.signalled()).contains(root.pid(), orphan.pid());
    assertThat(summary.needingKill()).containsExactly(orphan.pid());
    assertThat(orphan.alive()).isFalse();
  }

  @Test
  @DisplayName("A pid whose start time differs is someone else's: nothing is signalled")
  void reusedPid() throws Exception {
    Process other = bash("sleep 1000");
    ProcessId real = id(other);

    KillTree.Summary summary = kill(new ProcessId(real.pid(), real.startTime() - 1), Duration.ofMillis(100));

    assertThat(summary.signalled()).isEmpty();
    assertThat(summary.sentence("TERM", Duration.ofMillis(100))).isEqualTo("had already ended");
    assertThat(real.alive()).isTrue();
  }

  @Test
  @DisplayName("The wait for a port ends as soon as nothing listens on it, and gives up at its limit")
  void portWait() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
      assertThat(KillTree.awaitPortFree(port, Duration.ofMillis(200))).isFalse();
    }
    assertThat(KillTree.awaitPortFree(port, Duration.ZERO)).isTrue();
  }
}
