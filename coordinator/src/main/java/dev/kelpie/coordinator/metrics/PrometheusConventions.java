package dev.kelpie.coordinator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.util.Map;

/**
 * How every {@code kelpie_*} meter is published, wherever it is registered: a timer is a Prometheus histogram with
 * fixed buckets (server-side, so it can be summed across coordinators and read with {@code histogram_quantile}),
 * never a summary of quantiles computed in the process; a meter registered without a description gets its HELP
 * text here, so {@code promtool check metrics} finds none missing.
 */
public final class PrometheusConventions implements MeterFilter {

  /** Seconds: from a millisecond to half a minute, the span of a commit or a probe. */
  static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private static final Map<String, String> HELP = Map.of(
    "kelpie_store_commit", "Time from a report's receipt to its commit in the store",
    "kelpie_store_backlog", "Facts waiting to be written to the store",
    "kelpie_store_up", "1 while the store takes writes, 0 while it is down (decisions go on from memory)");

  @Override
  public Meter.Id map(Meter.Id id) {
    String help = HELP.get(id.getName());
    if (help == null || id.getDescription() != null) {
      return id;
    }
    return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), help,
      id.getType());
  }

  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("kelpie_")) {
      return config;
    }
    double[] nanos = new double[BUCKETS.length];
    for (int i = 0; i < BUCKETS.length; i++) {
      nanos[i] = BUCKETS[i] * 1e9;   // a timer's buckets are given in nanoseconds
    }
    return DistributionStatisticConfig.builder().percentiles(new double[0]).percentilesHistogram(false)
      .serviceLevelObjectives(nanos).build().merge(config);
  }
}
