package dev.kelpie.coordinator.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;

/** Deletes raw results past their retention, successes and failures apart, every {@code every}. */
public final class RetentionVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(RetentionVerticle.class);

  private final Store store;
  private final Clock clock;
  private final Duration keepSuccesses;
  private final Duration keepFailures;
  private final Duration every;

  public RetentionVerticle(Store store, Clock clock, Duration keepSuccesses, Duration keepFailures, Duration every) {
    this.store = store;
    this.clock = clock;
    this.keepSuccesses = keepSuccesses;
    this.keepFailures = keepFailures;
    this.every = every;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(every.toMillis(), every.toMillis(), id -> purge());
    return Future.succeededFuture();
  }

  Future<Long> purge() {
    return store.purge(clock.instant().minus(keepSuccesses), clock.instant().minus(keepFailures))
      .onSuccess(deleted -> log.info("retention: {} raw results deleted", deleted))
      .onFailure(failure -> log.warn("retention: purge failed, will try again: {}", failure.getMessage()));
  }
}
