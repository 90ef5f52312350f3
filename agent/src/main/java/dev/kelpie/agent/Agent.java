package dev.kelpie.agent;

import dev.kelpie.agent.autonomy.AutonomyVerticle;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.metrics.AgentMetrics;
import dev.kelpie.agent.metrics.MetricsVerticle;
import dev.kelpie.agent.probe.ProbeVerticle;
import dev.kelpie.agent.supervise.SupervisorVerticle;
import dev.kelpie.agent.uplink.UplinkTls;
import dev.kelpie.agent.uplink.UplinkVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's verticles, deployed in order: the uplink first (so no process event is published before someone keeps
 * it), the autonomy (the policy while no coordinator is there), then the supervisor (adopt or spawn every service),
 * then the probes.
 */
public final class Agent {

  public static final String VERSION = "0.1.0";

  private final Vertx vertx;
  private final List<String> deployments;
  private final MetricsVerticle metrics;

  private Agent(Vertx vertx, List<String> deployments, MetricsVerticle metrics) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.metrics = metrics;
  }

  public static Future<Agent> deploy(Vertx vertx, AgentConfig config, String host, Clock clock) {
    // no metrics stack is loaded unless the config serves metrics
    MetricsVerticle metrics = config.metrics() == null ? null
      : new MetricsVerticle(config.metrics().host(), config.metrics().port());
    AgentMetrics counted = metrics == null ? AgentMetrics.NONE : metrics.agentMetrics();
    AgentConfig.Uplink link = config.uplink();
    UplinkVerticle uplink = new UplinkVerticle(config.agentId(), host, VERSION, config.checkSpecs(),
      new UplinkVerticle.Settings(link.url(), link.token(), link.reconnectInitial(), link.reconnectMax(),
        link.bufferSize(), link.pingInterval(), link.keepaliveInterval(), link.connectTimeout(), link.urls(),
        new UplinkTls(link.tls().ca(), link.tls().cert(), link.tls().key()), link.batchWindow()), config.stateDir(),
      clock, counted);
    SupervisorVerticle supervisor = new SupervisorVerticle(config.agentId(), config.stateDir(),
      config.services(), clock);
    ProbeVerticle probes = new ProbeVerticle(config.agentId(), config.checks(), clock, counted);
    Future<List<String>> core = vertx.deployVerticle(uplink).compose(u -> autonomy(vertx, config, clock)
      .compose(a -> vertx.deployVerticle(supervisor)
        .compose(s -> vertx.deployVerticle(probes).map(p -> a == null ? List.of(p, s, u) : List.of(p, s, a, u)))));
    if (metrics == null) {
      return core.map(ids -> new Agent(vertx, ids, null));
    }
    return core.compose(ids -> vertx.deployVerticle(metrics).map(m -> {
      List<String> all = new ArrayList<>(ids);
      all.add(0, m);
      return new Agent(vertx, all, metrics);
    }));
  }

  /** With {@code autonomy} on, before the supervisor: it must hear every process event. Null when off. */
  private static Future<String> autonomy(Vertx vertx, AgentConfig config, Clock clock) {
    if (!config.autonomy()) {
      return Future.succeededFuture(null);
    }
    return vertx.deployVerticle(new AutonomyVerticle(config.agentId(), config.checks(), config.stateDir(), clock));
  }

  /** The port of the agent's metrics endpoint, or -1 when it serves none. */
  public int metricsPort() {
    return metrics == null ? -1 : metrics.actualPort();
  }

  /** Stops probing, supervising and reporting; the supervised services keep running. */
  public Future<Void> undeploy() {
    Future<Void> chain = Future.succeededFuture();
    for (String id : deployments) {
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain;
  }
}
