package dev.kelpie.agent;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.probe.ProbeVerticle;
import dev.kelpie.agent.supervise.SupervisorVerticle;
import dev.kelpie.agent.uplink.UplinkVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.List;

/**
 * The agent's verticles, deployed in order: the uplink first (so no process event is published before someone keeps
 * it), then the supervisor (adopt or spawn every service), then the probes.
 */
public final class Agent {

  public static final String VERSION = "0.1.0";

  private final Vertx vertx;
  private final List<String> deployments;

  private Agent(Vertx vertx, List<String> deployments) {
    this.vertx = vertx;
    this.deployments = deployments;
  }

  public static Future<Agent> deploy(Vertx vertx, AgentConfig config, String host, Clock clock) {
    AgentConfig.Uplink link = config.uplink();
    UplinkVerticle uplink = new UplinkVerticle(config.agentId(), host, VERSION, config.checkSpecs(),
      new UplinkVerticle.Settings(link.url(), link.token(), link.reconnectInitial(), link.reconnectMax(),
        link.bufferSize(), link.pingInterval()), config.stateDir(), clock);
    SupervisorVerticle supervisor = new SupervisorVerticle(config.agentId(), config.stateDir(), config.services(),
      clock);
    ProbeVerticle probes = new ProbeVerticle(config.agentId(), config.checks(), clock);
    return vertx.deployVerticle(uplink).compose(u -> vertx.deployVerticle(supervisor)
      .compose(s -> vertx.deployVerticle(probes)
        .map(p -> new Agent(vertx, List.of(p, s, u)))));
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
