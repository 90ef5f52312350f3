package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Samples a supervised service's process tree at the check's interval (on a worker: /proc reads block) and is down
 * once a limit has been over for the configured number of samples in a row. CPU is the share of one core the tree
 * used since the previous sample.
 */
final class ResourcesProbe implements Probe {

  private final Vertx vertx;
  private final Clock clock;
  private final Map<String, ServiceInfo> services;
  private final ResourcesTarget target;
  private long lastPid;
  private ProcessTreeUsage lastUsage;
  private Instant lastTime;
  private int overInARow;

  ResourcesProbe(ResourcesTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.clock = tools.clock();
    this.services = tools.services();
    this.target = target;
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    ServiceInfo info = services.get(target.service());
    if (info == null || !info.running()) {
      lastUsage = null;
      overInARow = 0;
      return Future.succeededFuture(Finding.down(target.service() + " is not running"));
    }
    long pid = info.pid();
    return vertx.executeBlocking(() -> ProcessTreeUsage.of(pid), false).map(usage -> judge(pid, usage));
  }

  private Finding judge(long pid, ProcessTreeUsage usage) {
    Instant now = clock.instant();
    Double cpu = pid == lastPid && lastUsage != null ? cpuPercent(usage, now) : null;
    lastPid = pid;
    lastUsage = usage;
    lastTime = now;
    if (usage.members() == 0) {
      overInARow = 0;
      return Finding.down("pid " + pid + " is gone");
    }
    List<String> over = new ArrayList<>();
    if (target.maxRssBytes() != null && usage.rssBytes() > target.maxRssBytes()) {
      over.add("RSS " + bytes(usage.rssBytes()) + " over " + bytes(target.maxRssBytes()));
    }
    if (target.maxCpuPercent() != null && cpu != null && cpu > target.maxCpuPercent()) {
      over.add("CPU " + percent(cpu) + " over " + percent(target.maxCpuPercent()));
    }
    if (target.maxThreads() != null && usage.threads() > target.maxThreads()) {
      over.add(usage.threads() + " threads, over " + target.maxThreads());
    }
    if (target.maxFds() != null && usage.fds() > target.maxFds()) {
      over.add(usage.fds() + " open files, over " + target.maxFds());
    }
    if (target.maxFdsPercentOfLimit() != null && usage.worstFdShare() > target.maxFdsPercentOfLimit()) {
      over.add("open files at " + percent(usage.worstFdShare()) + " of the limit, over "
        + percent(target.maxFdsPercentOfLimit()));
    }
    String figures = "RSS " + bytes(usage.rssBytes()) + (cpu == null ? "" : ", CPU " + percent(cpu)) + ", "
      + usage.threads() + " threads, " + usage.fds() + " open files in " + usage.members() + " processes";
    if (over.isEmpty()) {
      overInARow = 0;
      return Finding.up(figures);
    }
    overInARow++;
    String what = String.join(", ", over);
    return overInARow >= target.forSamples()
      ? Finding.down(what + " for " + overInARow + (overInARow == 1 ? " sample" : " samples"))
      : Finding.up(what + " (" + overInARow + " of " + target.forSamples() + " samples); " + figures);
  }

  private Double cpuPercent(ProcessTreeUsage usage, Instant now) {
    long wall = Duration.between(lastTime, now).toNanos();
    long used = usage.cpuTime().minus(lastUsage.cpuTime()).toNanos();
    return wall <= 0 ? null : Math.max(0, 100.0 * used / wall);
  }

  private static String percent(double value) {
    return String.format(Locale.ROOT, "%.0f%%", value);
  }

  private static String bytes(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
  }
}
