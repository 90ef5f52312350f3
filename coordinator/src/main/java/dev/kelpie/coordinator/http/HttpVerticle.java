package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.gateway.AgentGateway;
import dev.kelpie.coordinator.gateway.AgentTokens;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.bus.Addresses;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** The coordinator's one port: the agents' bus bridge at {@code /bus}, and the JSON API. */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  private final String host;
  private final int port;
  private final int maxFrameBytes;
  private final Duration pingTimeout;
  private final AgentTokens tokens;
  private final PrometheusMeterRegistry registry;
  private final Store store;
  private HttpServer server;

  public HttpVerticle(String host, int port, int maxFrameBytes, Duration pingTimeout, AgentTokens tokens,
                      PrometheusMeterRegistry registry, Store store) {
    this.store = store;
    this.host = host;
    this.port = port;
    this.maxFrameBytes = maxFrameBytes;
    this.pingTimeout = pingTimeout;
    this.tokens = tokens;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route("/bus/*").subRouter(SockJSHandler.create(vertx)
      .bridge(AgentGateway.bridgeOptions(pingTimeout), new AgentGateway(vertx, tokens)));
    router.get("/api/checks").handler(this::checks);
    new HistoryApi(store).mount(router);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
    router.get("/ready").handler(new Readiness(vertx, () -> server != null)::handle);
    router.get("/").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; charset=utf-8")
      .end("Kelpie coordinator. Every check's state: /api/checks; metrics: /metrics; /health, /ready\n"));
    HttpServerOptions options = new HttpServerOptions()
      .setHost(host)
      .setPort(port)
      .setMaxWebSocketFrameSize(maxFrameBytes)
      .setMaxWebSocketMessageSize(maxFrameBytes);
    return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(bound -> {
      server = bound;
      log.info("coordinator listening on http://{}:{} (agents connect to ws://{}:{}/bus)", host,
        bound.actualPort(), host, bound.actualPort());
    });
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }

  private void checks(RoutingContext ctx) {
    vertx.eventBus().<JsonObject>request(Addresses.POLICY_SNAPSHOT, null)
      .onSuccess(reply -> ctx.json(reply.body()))
      .onFailure(ctx::fail);
  }
}
