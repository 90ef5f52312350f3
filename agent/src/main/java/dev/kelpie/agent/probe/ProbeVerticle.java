package dev.kelpie.agent.probe;

import dev.kelpie.agent.metrics.AgentMetrics;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs every check on its own timer and publishes each result. A check's probe never overlaps itself and never runs
 * past the check's timeout: at the timeout it is cancelled and reported down as a timeout, and the next run keeps
 * its time. Checks of a service stopped on purpose are paused; a supervised process that dies is reported down at
 * once, not at the next tick.
 */
public final class ProbeVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ProbeVerticle.class);

  private final String agentId;
  private final List<ProbedCheck> checks;
  private final Clock clock;
  private final AgentMetrics metrics;
  private final ProbeKinds kinds;
  private final Map<String, ServiceInfo> services = new HashMap<>();
  private final Map<String, Probe> probes = new HashMap<>();
  /** Checks whose last run was cancelled at its timeout and has not ended yet. */
  private final Set<String> overdue = new HashSet<>();
  private NetClient tcp;
  private ProbeSlots slots;

  public ProbeVerticle(String agentId, List<? extends ProbedCheck> checks, Clock clock, AgentMetrics metrics) {
    this(agentId, checks, clock, metrics, ProbeKinds.BUILT_IN);
  }

  public ProbeVerticle(String agentId, List<? extends ProbedCheck> checks, Clock clock, AgentMetrics metrics,
                       ProbeKinds kinds) {
    this.agentId = agentId;
    this.checks = List.copyOf(checks);
    this.clock = clock;
    this.metrics = metrics;
    this.kinds = kinds;
  }

  @Override
  public Future<?> start() {
    tcp = vertx.createNetClient();
    slots = new ProbeSlots(vertx, ProbeSlots.WIDTH_MILLIS);
    ProbeTools tools = new ProbeTools(vertx, tcp, services, clock);
    for (ProbedCheck check : checks) {
      probes.put(check.id(), kinds.of(check.type()).probe(check.target(), tools));
      metrics.checkConfigured(check.id());
    }
    Future<Void> registered = Future.all(vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_SERVICE_STATE,
      msg -> onService(ServiceInfo.fromJson(msg.body()))).completion(),
      vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_REMEDIATE, this::onRemediate).completion()).mapEmpty();
    return registered
      .compose(v -> vertx.eventBus().<JsonArray>request(Addresses.LOCAL_SERVICES, null))
      .onSuccess(reply -> reply.body().forEach(item -> {
        ServiceInfo info = ServiceInfo.fromJson((JsonObject) item);
        services.put(info.name(), info);
      }))
      .onSuccess(v -> checks.forEach(this::schedule));
  }

  /** A probe in flight to a wedged service must not hold the agent's shutdown for long. */
  @Override
  public Future<?> stop() {
    return tcp.shutdown(1, TimeUnit.SECONDS);
  }

  /**
   * Spread over the first second, then every interval from the start of the last probe (or at its end, if slower);
   * checks of a second or more start in {@linkplain ProbeSlots slots} shared with the other checks.
   */
  private void schedule(ProbedCheck check) {
    long interval = check.policy().interval().toMillis();
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
      1 + ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(interval, 1000))));
    slots.at(due, interval, () -> probe(check, due));
  }

  private void probe(ProbedCheck check, long dueNanos) {
    long startNanos = System.nanoTime();
    long interval = check.policy().interval().toMillis();
    long next = slots.nextDue(dueNanos, startNanos, interval);
    if (paused(check)) {
      slots.at(next, interval, () -> probe(check, next));
      return;
    }
    Instant started = clock.instant();
    if (overdue.contains(check.id())) {
      slots.at(next, interval, () -> probe(check, next));
      publish(ProbeResult.down(agentId, check.id(), started, Duration.ZERO,
        "the previous probe, cancelled at its timeout, has still not ended"));
      return;
    }
    bounded(check).onComplete(done -> {
      long endNanos = System.nanoTime();
      Duration latency = Duration.ofNanos(endNanos - startNanos);
      long due = Math.max(next, endNanos);
      slots.at(due, interval, () -> probe(check, due));
      if (paused(check)) {
        return;
      }
      Probe.Finding finding = done.succeeded() ? done.result() : Probe.Finding.down(failureDetail(done.cause()));
      metrics.probed(check.id(), finding.up(), latency);
      publish(new ProbeResult(agentId, 0, check.id(), started,
        finding.up() ? Outcome.UP : Outcome.DOWN, latency,
        finding.detail()));
    });
  }

  /** The probe's run, ended by the check's timeout if the probe has not ended by then; the run is then cancelled. */
  private Future<Probe.Finding> bounded(ProbedCheck check) {
    Duration bound = check.policy().timeout();
    Cancellation cancellation = new Cancellation();
    Promise<Probe.Finding> result = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, bound.toMillis()), id -> {
      if (result.tryFail(new ProbeTimeoutException(bound))) {
        overdue.add(check.id());
        cancellation.cancel();
      }
    });
    Future<Probe.Finding> run;
    try {
      run = probes.get(check.id()).run(cancellation);
    } catch (RuntimeException bug) {
      run = Future.failedFuture(bug);
    }
    run.onComplete(done -> {
      vertx.cancelTimer(timer);
      overdue.remove(check.id());
      if (done.succeeded()) {
        result.tryComplete(done.result());
      } else {
        result.tryFail(done.cause());
      }
    });
    return result.future();
  }

  private static String failureDetail(Throwable failure) {
    return failure instanceof ProbeTimeoutException ? failure.getMessage() : String.valueOf(failure);
  }

  private void onRemediate(Message<JsonObject> msg) {
    String checkId = msg.body().getString("checkId");
    boolean dryRun = msg.body().getBoolean("dryRun", true);
    String by = msg.body().getString("by", "an operator");
    ProbedCheck check = checks.stream().filter(c -> c.id().equals(checkId)).findFirst().orElse(null);
    if (check == null || !(probes.get(checkId) instanceof Remedy remedy)) {
      msg.fail(404, check == null ? "no check '" + checkId + "'" : "check '" + checkId + "' (" + check.type()
        + ") has no remediation; only jobs checks have one");
      return;
    }
    remedy.remediate(dryRun, by, msg.body().getString("reason"))
      .timeout(check.policy().timeout().toMillis(), TimeUnit.MILLISECONDS)
      .onSuccess(done -> {
        log.atWarn().addKeyValue("check", checkId).addKeyValue("by", by)
          .log("{} {} rows of {}: {}", done.dryRun() ? "dry run listed" : "remediated", done.ids().size(), checkId,
            done.ids());
        msg.reply(new JsonObject().put("checkId", checkId).put("dryRun", done.dryRun())
          .put("count", done.ids().size()).put("ids", new JsonArray(done.ids())));
      })
      .onFailure(failure -> msg.fail(500, "remediation of " + checkId + " failed: " + failure.getMessage()));
  }

  private void onService(ServiceInfo info) {
    ServiceInfo previous = services.put(info.name(), info);
    boolean died = previous != null && previous.running() && !info.running() && info.wanted();
    if (!died) {
      return;
    }
    for (ProbedCheck check : checks) {
      if (check.target() instanceof ProcessTarget process && info.name().equals(process.service())) {
        publish(ProbeResult.down(agentId, check.id(), clock.instant(), Duration.ZERO,
          "pid " + previous.pid() + " is gone"));
      }
    }
  }

  private boolean paused(ProbedCheck check) {
    ServiceInfo info = check.service() == null ? null : services.get(check.service());
    return info != null && !info.wanted();
  }

  private void publish(ProbeResult result) {
    vertx.eventBus().publish(Addresses.LOCAL_REPORT, result.toJson());
  }
}
