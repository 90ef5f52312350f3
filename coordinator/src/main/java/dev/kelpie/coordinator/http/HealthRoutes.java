package dev.kelpie.coordinator.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.function.BooleanSupplier;

/** {@code /metrics}, {@code /health} and {@code /ready}: open to anyone who can reach the port. */
public final class HealthRoutes implements Routes {

  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;

  public HealthRoutes(Vertx vertx, PrometheusMeterRegistry registry, BooleanSupplier listening) {
    this.registry = registry;
    this.readiness = new Readiness(vertx, listening);
  }

  @Override
  public Future<Void> mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
    router.get("/ready").handler(readiness::handle);
    return Future.succeededFuture();
  }
}
