package dev.kelpie.agent.supervise;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Evidence;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Takes the evidence before a kill (or for an operator's dump) within a bound: whatever is not had by then is left
 * out and named in {@code missing}, so the kill is never delayed by more than the bound. The reading itself is
 * {@link ProcessEvidence}'s, on a worker; the heartbeat checks of the service are asked for their last kick on the
 * local bus.
 */
final class EvidenceTaker {

  /** The bound: never delay a kill by more than this. */
  static final Duration DEFAULT_BOUND = Duration.ofSeconds(3);
  private static final long KICK_ASK_MILLIS = 500;

  private final Vertx vertx;
  private final WorkerExecutor workers;
  private final Clock clock;
  private final Duration bound;

  EvidenceTaker(Vertx vertx, WorkerExecutor workers, Clock clock, Duration bound) {
    this.vertx = vertx;
    this.workers = workers;
    this.clock = clock;
    this.bound = bound;
  }

  /**
   * Evidence on {@code pid} (null: not running) of {@code service}: its own output log when the agent keeps one,
   * else what {@code managerOutput} gives (journal, supervisord's log, docker logs; null when none). Never fails.
   */
  Future<Evidence> take(String service, Long pid, Path outputLog, Supplier<Future<String>> managerOutput,
                        String managerName) {
    Instant began = clock.instant();
    ProcessEvidence reading = new ProcessEvidence(pid, outputLog, bound);
    Promise<Evidence> done = Promise.promise();
    long timer = vertx.setTimer(bound.toMillis() + 100, id -> done.tryComplete(reading.snapshot(began,
      clock.instant(), "not within " + bound.toMillis() + " ms")));
    Future<Void> proc = workers.executeBlocking(() -> {
      reading.read();
      return null;
    }, false);
    Future<Void> output = managerOutput == null ? Future.succeededFuture()
      : managerOutput.get().timeout(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .onSuccess(text -> reading.output(text, managerName))
        .onFailure(e -> reading.note("output from " + managerName + ": " + e.getMessage())).<Void>mapEmpty()
        .otherwiseEmpty();
    Future<Void> kick = vertx.eventBus().<JsonObject>request(Addresses.localHeartbeat(service), null,
        new DeliveryOptions().setSendTimeout(KICK_ASK_MILLIS).setLocalOnly(true))
      .onSuccess(reply -> reading.kick(reply.body()))
      .<Void>mapEmpty().otherwiseEmpty();
    Future.join(proc, output, kick).onComplete(all -> {
      vertx.cancelTimer(timer);
      done.tryComplete(reading.snapshot(began, clock.instant(), null));
    });
    return done.future();
  }
}
