package dev.kelpie.agent.probe;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ServiceInfo;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Runs every check on its own timer and publishes each result. A check's probe never overlaps itself; checks of a
 * service stopped on purpose are paused; a supervised process that dies is reported down at once, not at the next tick.
 */
public final class ProbeVerticle extends VerticleBase {

  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5)};

  private final String agentId;
  private final List<AgentConfig.CheckConfig> checks;
  private final Clock clock;
  private final Map<String, ServiceInfo> services = new HashMap<>();
  private final Map<String, Probe> probes = new HashMap<>();
  private final MeterRegistry registry;
  private HttpClient http;
  private NetClient tcp;

  public ProbeVerticle(String agentId, List<AgentConfig.CheckConfig> checks, Clock clock, MeterRegistry registry) {
    this.agentId = agentId;
    this.checks = List.copyOf(checks);
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false),
      new PoolOptions().setHttp1MaxSize(256).setMaxWaitQueueSize(1024));
    tcp = vertx.createNetClient();
    for (AgentConfig.CheckConfig check : checks) {
      probes.put(check.id(), switch (check.type()) {
        case HTTP -> new HttpProbe(http, check.http());
        case TCP -> new TcpProbe(tcp, check.tcp());
        case PROCESS -> new ProcessProbe(vertx, check.process(), services);
      });
      latencyTimer(check.id(), "up");   // both series exist at zero before the first probe
      latencyTimer(check.id(), "down");
    }
    Future<Void> registered = vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_SERVICE_STATE,
      msg -> onService(ServiceInfo.fromJson(msg.body()))).completion();
    return registered
      .compose(v -> vertx.eventBus().<JsonArray>request(Addresses.LOCAL_SERVICES, null))
      .onSuccess(reply -> reply.body().forEach(item -> {
        ServiceInfo info = ServiceInfo.fromJson((JsonObject) item);
        services.put(info.name(), info);
      }))
      .onSuccess(v -> checks.forEach(this::schedule));
  }

  private Timer latencyTimer(String checkId, String outcome) {
    return Timer.builder("kelpie_agent_probe").description("Probe latency per check and outcome (up, down)")
      .tag("check", checkId).tag("outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }

  /** A probe in flight to a wedged service must not hold the agent's shutdown for long. */
  @Override
  public Future<?> stop() {
    return Future.join(http.shutdown(1, TimeUnit.SECONDS), tcp.shutdown(1, TimeUnit.SECONDS));
  }

  /** Spread over the first second, then every interval from the start of the last probe (or at its end, if slower). */
  private void schedule(AgentConfig.CheckConfig check) {
    long interval = check.policy().interval().toMillis();
    vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(interval, 1000))),
      id -> probe(check));
  }

  private void probe(AgentConfig.CheckConfig check) {
    long startNanos = System.nanoTime();
    long interval = check.policy().interval().toMillis();
    if (paused(check)) {
      vertx.setTimer(interval, id -> probe(check));
      return;
    }
    Instant started = clock.instant();
    probes.get(check.id()).run().onComplete(done -> {
      Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
      vertx.setTimer(Math.max(1, interval - latency.toMillis()), id -> probe(check));
      if (paused(check)) {
        return;
      }
      Probe.Finding finding = done.succeeded() ? done.result() : Probe.Finding.down(String.valueOf(done.cause()));
      latencyTimer(check.id(), finding.up() ? "up" : "down").record(latency);
      publish(new ProbeResult(agentId, 0, check.id(), started,
        finding.up() ? Outcome.UP : Outcome.DOWN, latency,
        finding.detail()));
    });
  }

  private void onService(ServiceInfo info) {
    ServiceInfo previous = services.put(info.name(), info);
    boolean died = previous != null && previous.running() && !info.running() && info.wanted();
    if (!died) {
      return;
    }
    for (AgentConfig.CheckConfig check : checks) {
      if (check.type() == CheckType.PROCESS && info.name().equals(check.process().service())) {
        publish(ProbeResult.down(agentId, check.id(), clock.instant(), Duration.ZERO,
          "pid " + previous.pid() + " is gone"));
      }
    }
  }

  private boolean paused(AgentConfig.CheckConfig check) {
    ServiceInfo info = check.service() == null ? null : services.get(check.service());
    return info != null && !info.wanted();
  }

  private void publish(ProbeResult result) {
    vertx.eventBus().publish(Addresses.LOCAL_REPORT, result.toJson());
  }
}
