package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ProbeResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Disk and mount checks on real mounts made by the test (it runs as root, as in CI): a FUSE mount (bindfs) whose
 * daemon is stopped with SIGSTOP, and a tmpfs with a size that the test fills.
 */
class MountAndDiskTest {

  @TempDir
  Path dir;
  private ProbeHarness harness;
  private final List<Path> mounts = new ArrayList<>();
  private Process fuse;

  @BeforeEach
  void needsRoot() throws Exception {
    boolean usable = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", Files.createDirectories(dir.resolve("probe")).toString()) == 0;
    if (usable) {
      run("umount", dir.resolve("probe").toString());
    }
    if (!usable && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("mounting needs root (CI runs as root)");
    }
    Assumptions.assumeTrue(usable, "mounting needs root; skipped");
  }

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (fuse != null) {
      signal("CONT", fuse.pid());
    }
    for (Path mount : mounts) {
      run("umount", "-l", mount.toString());
    }
    if (fuse != null) {
      fuse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a FUSE mount whose daemon is stopped is hung within the check's timeout, other checks keep their "
    + "time, 50 hung runs leave no threads or processes behind, and it is healthy again once the daemon goes on")
  void hungMount() throws Exception {
    Path source = Files.createDirectories(dir.resolve("source"));
    Path share = Files.createDirectories(dir.resolve("share"));
    fuse = new ProcessBuilder("bindfs", "-f", source.toString(), share.toString())
      .redirectErrorStream(true).redirectOutput(dir.resolve("bindfs.log").toFile()).start();
    mounts.add(share);
    harness = new ProbeHarness("checks:\n"
      + "  - {id: share, type: mount, path: \"" + share + "\", fsType: fuse, interval: 200ms, timeout: 1s, hungAfter: 300ms}\n"
      + "  - {id: steady, type: disk, path: \"" + dir + "\", maxUsed: 100%, interval: 200ms, timeout: 2s}\n");
    harness.awaitResults("share", list -> last(list).up());
    assertThat(last(harness.of("share")).detail()).startsWith("fuse mount answers in ");

    signal("STOP", fuse.pid());
    int before = harness.awaitResults("share", list -> last(list).detail().startsWith("hung")).size();
    ProbeResult hung = last(harness.of("share"));
    assertThat(hung.up()).isFalse();
    assertThat(hung.detail()).isEqualTo("hung: statfs of " + share + " gave no answer within 300ms");
    assertThat(hung.latency()).as("said by the probe itself, before the check's timeout")
      .isLessThan(Duration.ofSeconds(1));

    int steadyBefore = harness.of("steady").size();
    harness.awaitResults("share", list -> list.size() >= before + 5);
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    harness.awaitResults("share", list -> list.size() >= before + 55);
    List<ProbeResult> hungRuns = harness.of("share").subList(before, before + 55);
    assertThat(hungRuns).allSatisfy(result -> assertThat(result.up()).isFalse());
    assertThat(hungRuns.stream().filter(result -> result.detail().startsWith("hung: ")).count())
      .as("runs that said hung themselves (on a loaded machine a few may be cut by the check's timeout)")
      .isGreaterThanOrEqualTo(45);
    assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).as("threads after 50 hung runs")
      .isLessThanOrEqualTo(threads + 2);
    assertThat(ProcessHandle.current().descendants().filter(p -> p.pid() != fuse.pid())
      .filter(p -> p.info().commandLine().orElse("").contains(share.toString())).count())
      .as("child processes on the hung mount").isLessThanOrEqualTo(1);

    List<ProbeResult> steady = harness.of("steady");
    steady = steady.subList(steadyBefore, steady.size());
    assertThat(steady).allSatisfy(result -> assertThat(result.up()).isTrue());
    assertThat(steady.size()).as("steady's runs while the mount hung").isGreaterThanOrEqualTo(20);
    for (int i = 1; i < steady.size(); i++) {
      assertThat(Duration.between(steady.get(i - 1).time(), steady.get(i).time()))
        .as("time between steady's runs %d and %d while the mount hung", i - 1, i)
        .isLessThan(Duration.ofMillis(1200));
    }

    signal("CONT", fuse.pid());
    harness.awaitResults("share", list -> last(list).up());
  }

  @Test
  @DisplayName("a disk filling up crosses its used-space threshold and its time-to-full, with the forecast in the "
    + "detail; a directory check on it crosses its size")
  void diskFilling() throws Exception {
    Path disk = Files.createDirectories(dir.resolve("disk"));
    assertThat(run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", disk.toString())).isZero();
    mounts.add(disk);
    harness = new ProbeHarness("checks:\n"
      + "  - {id: used, type: disk, path: \"" + disk + "\", maxUsed: 50%, interval: 200ms}\n"
      + "  - {id: soon, type: disk, path: \"" + disk + "\", minTimeToFull: 1h, interval: 200ms}\n"
      + "  - {id: logs, type: directory, path: \"" + disk + "\", maxSize: 1MB, interval: 200ms}\n");
    harness.awaitResults("used", list -> last(list).up());
    assertThat(last(harness.of("used")).detail()).startsWith(disk + ": used 0% (");
    harness.await("logs", 1);

    for (int i = 0; i < 28 && last(harness.of("used")).up(); i++) {
      Files.write(disk.resolve("log-" + i), new byte[256 * 1024]);
      ProbeHarness.pause(Duration.ofMillis(100));
    }
    ProbeResult used = last(harness.awaitResults("used", list -> !last(list).up()));
    assertThat(used.detail()).matches(disk + ": used \\d+% over 50%; used \\d+% \\([0-9.]+ MiB of 8\\.0 MiB\\), "
      + "inodes \\d+%, growing [0-9.]+ [KM]iB/s: fills in \\d+s");
    ProbeResult soon = last(harness.awaitResults("soon", list -> !last(list).up()));
    assertThat(soon.detail()).matches(disk + ": fills in \\d+s, sooner than 1h; used \\d+% .*");
    assertThat(harness.of("logs").get(0).detail()).isEqualTo(disk + " holds 0 B in 1 entries");
    ProbeResult logs = last(harness.awaitResults("logs", list -> !last(list).up()));
    assertThat(logs.detail()).matches(disk + " holds [0-9.]+ MiB, over 1\\.0 MiB \\(\\d+ entries\\)");
  }

  private static ProbeResult last(List<ProbeResult> results) {
    return results.get(results.size() - 1);
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    assertThat(run("kill", "-" + signal, Long.toString(pid))).isZero();
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }
}
