package dev.kelpie.agent.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a process tree uses at one moment, read from /proc: resident memory, CPU time so far, threads and open file
 * descriptors summed over the tree, and the highest share of its own descriptor limit any member uses. Blocking:
 * read it on a worker. A member that ends while it is read is left out.
 */
record ProcessTreeUsage(long rssBytes, Duration cpuTime, int threads, int fds, double worstFdShare, int members) {

  static ProcessTreeUsage of(long rootPid) {
    List<ProcessHandle> tree = new ArrayList<>();
    ProcessHandle.of(rootPid).ifPresent(root -> {
      tree.add(root);
      root.descendants().forEach(tree::add);
    });
    long rss = 0;
    long cpuNanos = 0;
    int threads = 0;
    int fds = 0;
    double worst = 0;
    int members = 0;
    for (ProcessHandle process : tree) {
      Path proc = Path.of("/proc", Long.toString(process.pid()));
      try {
        List<String> status = Files.readAllLines(proc.resolve("status"));
        long memberRss = field(status, "VmRSS:") * 1024;
        int memberThreads = (int) field(status, "Threads:");
        int memberFds;
        try (Stream<Path> open = Files.list(proc.resolve("fd"))) {
          memberFds = (int) open.count();
        }
        long limit = fdLimit(proc);
        rss += memberRss;
        threads += memberThreads;
        fds += memberFds;
        if (limit > 0) {
          worst = Math.max(worst, 100.0 * memberFds / limit);
        }
        cpuNanos += process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        members++;
      } catch (IOException | RuntimeException gone) {
        // ended, or not ours to read, while we looked
      }
    }
    return new ProcessTreeUsage(rss, Duration.ofNanos(cpuNanos), threads, fds, worst, members);
  }

  private static long field(List<String> status, String name) {
    for (String line : status) {
      if (line.startsWith(name)) {
        String[] parts = line.substring(name.length()).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return 0;
  }

  /** The soft limit on open files, or 0 when unlimited or unreadable. */
  private static long fdLimit(Path proc) throws IOException {
    for (String line : Files.readAllLines(proc.resolve("limits"))) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return soft.equals("unlimited") ? 0 : Long.parseLong(soft);
      }
    }
    return 0;
  }
}
