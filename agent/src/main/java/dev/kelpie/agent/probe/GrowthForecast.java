package dev.kelpie.agent.probe;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * How fast a file system fills: the least-squares slope of its used bytes over the samples of the last
 * {@code window}, and from it the time until the available bytes are gone.
 */
final class GrowthForecast {

  private record Sample(long millis, long usedBytes) {
  }

  private final Duration window;
  private final Deque<Sample> samples = new ArrayDeque<>();

  GrowthForecast(Duration window) {
    this.window = window;
  }

  void add(long millis, long usedBytes) {
    samples.addLast(new Sample(millis, usedBytes));
    while (samples.size() > 2 && samples.peekFirst().millis() < millis - window.toMillis()) {
      samples.removeFirst();
    }
  }

  /** Bytes per second, or empty with fewer than two samples apart in time. */
  Optional<Double> bytesPerSecond() {
    if (samples.size() < 2 || samples.peekLast().millis() == samples.peekFirst().millis()) {
      return Optional.empty();
    }
    long origin = samples.peekFirst().millis();
    double meanT = samples.stream().mapToDouble(s -> (s.millis() - origin) / 1000.0).average().orElse(0);
    double meanB = samples.stream().mapToDouble(Sample::usedBytes).average().orElse(0);
    double covariance = 0;
    double variance = 0;
    for (Sample s : samples) {
      double t = (s.millis() - origin) / 1000.0 - meanT;
      covariance += t * (s.usedBytes() - meanB);
      variance += t * t;
    }
    return variance == 0 ? Optional.empty() : Optional.of(covariance / variance);
  }

  /** The time until {@code availableBytes} are used up at the current rate; empty when not growing. */
  Optional<Duration> timeToFull(long availableBytes) {
    return bytesPerSecond().filter(rate -> rate > 0)
      .map(rate -> Duration.ofMillis((long) Math.min(Long.MAX_VALUE / 2.0, availableBytes / rate * 1000)));
  }
}
