package dev.kelpie.agent.uplink;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The agent's own vitals for its keepalives: resident memory, CPU load, and how late its event loop runs timers. */
final class AgentVitals {

  private static final long PROBE_MILLIS = 500;

  private final Vertx vertx;
  private long expectedAt;
  private long worstLagMillis;

  AgentVitals(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts measuring event-loop lag: a timer that should fire every 500 ms notes how late it fires. */
  void start() {
    expectedAt = System.nanoTime() + PROBE_MILLIS * 1_000_000;
    vertx.setPeriodic(PROBE_MILLIS, id -> {
      long now = System.nanoTime();
      worstLagMillis = Math.max(worstLagMillis, Math.max(0, (now - expectedAt) / 1_000_000));
      expectedAt = now + PROBE_MILLIS * 1_000_000;
    });
  }

  /** The worst lag since the last call. */
  long takeWorstLagMillis() {
    long worst = worstLagMillis;
    worstLagMillis = 0;
    return worst;
  }

  static double cpuLoad() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuLoad());
    }
    return 0;
  }

  /** Resident set size from /proc/self/status, read on a worker. */
  Future<Long> rssBytes() {
    return vertx.executeBlocking(() -> {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      return 0L;
    }, false).otherwise(0L);
  }
}
