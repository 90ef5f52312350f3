package dev.kelpie.coordinator.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The coordinator's one port: mounts each concern's {@link Routes} in order, then listens. What is served where is
 * the routes' business (see {@code Coordinator}); this verticle only owns the server.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  private final String host;
  private final int port;
  private final int maxFrameBytes;
  private final Function<BooleanSupplier, List<Routes>> routes;
  private volatile HttpServer server;

  /**
   * @param maxFrameBytes the largest WebSocket frame and message accepted (the agents' {@code gateway.maxFrameBytes})
   * @param routes        the port's concerns, given a way to ask whether the port is listening (for {@code /ready})
   */
  public HttpVerticle(String host, int port, int maxFrameBytes, Function<BooleanSupplier, List<Routes>> routes) {
    this.host = host;
    this.port = port;
    this.maxFrameBytes = maxFrameBytes;
    this.routes = routes;
  }

  /** Builds the routes here, on this verticle's context, so their timers (sessions' expiry) belong to it. */
  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    Future<Void> mounted = Future.succeededFuture();
    for (Routes part : routes.apply(() -> server != null)) {
      mounted = mounted.compose(previous -> part.mount(router));
    }
    HttpServerOptions options = new HttpServerOptions()
      .setHost(host)
      .setPort(port)
      .setMaxWebSocketFrameSize(maxFrameBytes)
      .setMaxWebSocketMessageSize(maxFrameBytes);
    return mounted.compose(all -> vertx.createHttpServer(options).requestHandler(router).listen())
      .onSuccess(bound -> {
        server = bound;
        log.info("coordinator listening on http://{}:{} (dashboard at /, agents connect to ws://{}:{}/bus)", host,
          bound.actualPort(), host, bound.actualPort());
      });
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }
}
