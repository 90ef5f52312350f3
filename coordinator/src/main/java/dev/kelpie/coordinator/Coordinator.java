package dev.kelpie.coordinator;

import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.gateway.AgentTokens;
import dev.kelpie.coordinator.http.HttpVerticle;
import dev.kelpie.coordinator.metrics.CoordinatorMetrics;
import dev.kelpie.coordinator.policy.FleetState;
import dev.kelpie.coordinator.policy.PolicyVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

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

  /** A Vert.x whose own meters (event loops, HTTP, event bus) go to {@code registry}, beside Kelpie's. */
  public static Vertx newVertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
      .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(true)))
      .withMetrics(new MicrometerMetricsFactory(registry))
      .build();
  }

  public static Future<Coordinator> deploy(Vertx vertx, CoordinatorConfig config, Clock clock,
                                           PrometheusMeterRegistry registry) {
    long epoch = clock.millis();
    CoordinatorMetrics metrics = new CoordinatorMetrics(registry);
    FleetState fleet = new FleetState(epoch, config.commands().ttl(), config.commands().answerTimeout(),
      () -> UUID.randomUUID().toString(), config.lostAfter(), metrics);
    HttpVerticle http = new HttpVerticle(config.http().host(), config.http().port(),
      config.gateway().maxFrameBytes(), config.gateway().pingTimeout(), new AgentTokens(config.agents()), registry);
    return vertx.deployVerticle(new PolicyVerticle(fleet, clock, Duration.ofMillis(250), metrics::levels))
      .compose(policy -> vertx.deployVerticle(http))
      .map(httpId -> new Coordinator(vertx, http, epoch));
  }

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
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
