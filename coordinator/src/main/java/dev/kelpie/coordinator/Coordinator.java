package dev.kelpie.coordinator;

import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.gateway.AgentTokens;
import dev.kelpie.coordinator.http.HttpVerticle;
import dev.kelpie.coordinator.policy.FleetState;
import dev.kelpie.coordinator.policy.PolicyVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/** The coordinator's verticles, deployed in order: the policy first, so agents never connect to nobody. */
public final class Coordinator {

  private final Vertx vertx;
  private final HttpVerticle http;
  private final long epoch;

  private Coordinator(Vertx vertx, HttpVerticle http, long epoch) {
    this.vertx = vertx;
    this.http = http;
    this.epoch = epoch;
  }

  public static Future<Coordinator> deploy(Vertx vertx, CoordinatorConfig config, Clock clock) {
    long epoch = clock.millis();
    FleetState fleet = new FleetState(epoch, config.commands().ttl(), config.commands().answerTimeout(),
      () -> UUID.randomUUID().toString());
    HttpVerticle http = new HttpVerticle(config.http().host(), config.http().port(),
      config.gateway().maxFrameBytes(), config.gateway().pingTimeout(), new AgentTokens(config.agents()));
    return vertx.deployVerticle(new PolicyVerticle(fleet, clock, Duration.ofMillis(250)))
      .compose(policy -> vertx.deployVerticle(http))
      .map(httpId -> new Coordinator(vertx, http, epoch));
  }

  public int port() {
    return http.actualPort();
  }

  public long epoch() {
    return epoch;
  }

  public Vertx vertx() {
    return vertx;
  }
}
