package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Used space and inodes of a file system, and when it fills at its recent growth rate; down when any limit is
 * crossed. The statfs runs in a bounded child ({@link FsStat}), so a disk on a hung mount says "hung".
 */
final class DiskProbe implements Probe {

  private final Clock clock;
  private final DiskTarget target;
  private final FsStat stat;
  private final GrowthForecast forecast;

  DiskProbe(DiskTarget target, ProbeTools tools) {
    this.clock = tools.clock();
    this.target = target;
    this.stat = new FsStat(tools.vertx(), target.path());
    this.forecast = new GrowthForecast(target.forecastOver());
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return stat.read(target.hungAfter(), cancellation).map(this::judge)
      .otherwise(failure -> Finding.down(failure.getMessage()));
  }

  private Finding judge(FsStat.Usage usage) {
    forecast.add(clock.millis(), usage.usedBytes());
    Optional<Duration> fillsIn = forecast.timeToFull(usage.availableBytes());
    List<String> over = new ArrayList<>();
    if (target.maxUsedPercent() != null && usage.usedPercent() > target.maxUsedPercent()) {
      over.add("used " + percent(usage.usedPercent()) + " over " + percent(target.maxUsedPercent()));
    }
    Double inodes = usage.inodesPercent();
    if (target.maxInodesPercent() != null && inodes != null && inodes > target.maxInodesPercent()) {
      over.add("inodes " + percent(inodes) + " over " + percent(target.maxInodesPercent()));
    }
    if (target.minTimeToFull() != null && fillsIn.isPresent() && fillsIn.get().compareTo(target.minTimeToFull()) < 0) {
      over.add("fills in " + roughly(fillsIn.get()) + ", sooner than " + Durations.human(target.minTimeToFull()));
    }
    String figures = "used " + percent(usage.usedPercent()) + " (" + bytes(usage.usedBytes()) + " of "
      + bytes(usage.usedBytes() + usage.availableBytes()) + ")"
      + (inodes == null ? "" : ", inodes " + percent(inodes))
      + forecast.bytesPerSecond().map(rate -> rate > 0
        ? ", growing " + bytes((long) rate.doubleValue()) + "/s: fills in " + roughly(fillsIn.orElseThrow())
        : ", not growing").orElse("");
    return over.isEmpty() ? Finding.up(target.path() + ": " + figures)
      : Finding.down(target.path() + ": " + String.join(", ", over) + "; " + figures);
  }

  /** A forecast to its leading unit: 40s, 12m, 3h, 5d. */
  static String roughly(Duration duration) {
    long seconds = Math.max(1, duration.toSeconds());
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m";
    }
    if (seconds < 2 * 86_400) {
      return seconds / 3600 + "h";
    }
    return seconds / 86_400 + "d";
  }

  private static String percent(double value) {
    return String.format(Locale.ROOT, "%.0f%%", value);
  }

  static String bytes(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = 0;
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
