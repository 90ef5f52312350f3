package dev.kelpie.coordinator.load;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Advises the agents' batch window from this coordinator's own pressure (its loops' lag, {@link LoopLag}), once a
 * second; the policy puts {@link #advisedMillis} into every hello reply and report acknowledgement. Exposes the advice
 * ({@code kelpie_batch_window_advised_seconds}) and the pressure ({@code kelpie_loop_lag_seconds}), and logs each change with the
 * pressure that made it. Used from the policy's context only, but for the loops it watches.
 */
public final class WindowAdvisor {

  private static final Logger log = LoggerFactory.getLogger(WindowAdvisor.class);

  private final WindowAdvice.Settings settings;
  private final MeterRegistry registry;
  private final WindowAdvice advice;
  private final LoopLag lag = new LoopLag();
  private volatile long advisedMillis;
  private volatile double lastLagMillis;

  public WindowAdvisor(WindowAdvice.Settings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    this.advice = new WindowAdvice(settings);
    this.advisedMillis = advice.advisedMillis();
    if (registry != null) {
      Gauge.builder("kelpie_batch_window_advised_seconds", this, a -> a.advisedMillis / 1000.0)
        .description("The batch window this coordinator advises its agents now (0: none, their own)")
        .register(registry);
      Gauge.builder("kelpie_loop_lag_seconds", this, a -> a.lastLagMillis / 1000.0)
        .description("The worst mean lag over the last second of the event loops that carry agents' frames")
        .register(registry);
    }
  }

  /** No advice, ever, nothing measured (tests, tools that build a policy without a port). */
  public static WindowAdvisor none() {
    return new WindowAdvisor(WindowAdvice.Settings.OFF, null);
  }

  /** Watches the calling context's loop too (the gateway's loops call it as they are built). */
  public void watch(Vertx vertx) {
    if (registry != null) {
      lag.watch(vertx);
    }
  }

  /**
   * Watches the calling context's loop and decides once a second from then on; called from the policy's start. With
   * the advice off the lag is still measured and exposed: it is what an operator would turn it on for.
   */
  public void start(Vertx vertx) {
    if (registry == null) {
      return;
    }
    if (advisedMillis > 0) {
      log.info("advising agents a batch window of {} ms (the configured minimum)", advisedMillis);
    }
    lag.watch(vertx);
    nextSample(vertx);
  }

  /**
   * A timer armed again after each sample, not a periodic one: after a stall a periodic timer fires its missed
   * seconds back to back, and those samples, taken a few microseconds apart, would read as seconds without lag.
   */
  private void nextSample(Vertx vertx) {
    vertx.setTimer(1000, id -> {
      sample();
      nextSample(vertx);
    });
  }

  private void sample() {
    double worst = lag.takeWorstMillis();
    lastLagMillis = worst;
    long before = advisedMillis;
    WindowAdvice.Change change = advice.observe(worst);
    if (change == WindowAdvice.Change.NONE) {
      return;
    }
    advisedMillis = advice.advisedMillis();
    boolean widened = change == WindowAdvice.Change.WIDENED;
    String median = String.format("%.1f", advice.decidedOn());
    String why = widened
      ? "over the target of " + settings.target().toMillis() + " ms"
      : "under a quarter of the target of " + settings.target().toMillis() + " ms";
    long over = (widened ? settings.widenAfter() : settings.narrowAfter()).toSeconds();
    log.atLevel(widened ? Level.WARN : Level.INFO).log("advising agents a batch window of {} ms (was {} ms; 0: their "
      + "own): the event loops ran {} ms late (median of the last {} s), {}", advisedMillis, before, median, over, why);
  }

  /** The advice now, in ms; 0 is none (the field is then left out of the messages). */
  public long advisedMillis() {
    return advisedMillis;
  }
}
