package dev.kelpie.agent.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.micrometer.PrometheusRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the agent's own Prometheus metrics on a local port, when the config asks for it. */
public final class MetricsVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(MetricsVerticle.class);

  private final String host;
  private final int port;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  public MetricsVerticle(String host, int port) {
    this.host = host;
    this.port = port;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** What the other verticles count, kept in this endpoint's registry. */
  public AgentMetrics agentMetrics() {
    return new MicrometerAgentMetrics(registry);
  }

  @Override
  public Future<?> start() {
    var scrape = PrometheusRequestHandler.create(registry);
    return vertx.createHttpServer()
      .requestHandler(request -> {
        if ("/metrics".equals(request.path())) {
          scrape.handle(request);
        } else {
          request.response().setStatusCode(404).end("metrics are at /metrics\n");
        }
      })
      .listen(port, host)
      .onSuccess(bound -> {
        server = bound;
        log.info("agent metrics on http://{}:{}/metrics", host, bound.actualPort());
      });
  }

  public int actualPort() {
    return server.actualPort();
  }
}
