package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.config.TlsSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The coordinator's one port: mounts each concern's {@link Routes} in order, then listens, over TLS when
 * {@code tls:} is configured (its certificate read again when the files change, see {@link ServerCertificate}).
 * Connections that hold the port without using it are closed ({@link ConnectionGuard}). What is served where is the
 * routes' business (see {@code Coordinator}); this verticle only owns the server.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);

  private final CoordinatorConfig.Http settings;
  private final TlsSettings tls;
  private final int maxFrameBytes;
  private final Function<BooleanSupplier, List<Routes>> routes;
  private final ConcurrentMap<String, Integer> openByAddress;
  private final PortOpening opening;
  private volatile HttpServer server;

  /**
   * @param maxFrameBytes the largest WebSocket frame and message accepted (the agents' {@code gateway.maxFrameBytes})
   * @param routes        the port's concerns, given a way to ask whether the port is listening (for {@code /ready});
   *                      called once per instance, on its own event loop
   * @param openByAddress open connections per client address, shared by every instance serving the port
   * @param opening       where the instances serving the port wait for each other before they listen
   */
  public HttpVerticle(CoordinatorConfig.Http settings, TlsSettings tls, int maxFrameBytes,
                      Function<BooleanSupplier, List<Routes>> routes, ConcurrentMap<String, Integer> openByAddress,
                      PortOpening opening) {
    this.settings = settings;
    this.tls = tls;
    this.maxFrameBytes = maxFrameBytes;
    this.routes = routes;
    this.openByAddress = openByAddress;
    this.opening = opening;
  }

  public HttpVerticle(CoordinatorConfig.Http settings, TlsSettings tls, int maxFrameBytes,
                      Function<BooleanSupplier, List<Routes>> routes) {
    this(settings, tls, maxFrameBytes, routes, new ConcurrentHashMap<>(), new PortOpening(1));
  }

  public HttpVerticle(String host, int port, int maxFrameBytes, Function<BooleanSupplier, List<Routes>> routes) {
    this(new CoordinatorConfig.Http(host, port), TlsSettings.NONE, maxFrameBytes, routes);
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
      .setHost(settings.host())
      .setPort(settings.port())
      .setIdleTimeout((int) settings.idleTimeout().toMillis())
      .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
      // without h2c, a connection is announced when it opens, not at its first whole request (which a slowloris
      // never sends), so the guard sees it from the start
      .setHttp2ClearTextEnabled(false)
      .setMaxWebSocketFrameSize(maxFrameBytes)
      .setMaxWebSocketMessageSize(maxFrameBytes);
    ConnectionGuard guard = new ConnectionGuard(settings.headerTimeout(), settings.maxConnectionsPerAddress(),
      openByAddress);
    ServerCertificate certificate = new ServerCertificate(vertx, tls);
    Future<Void> whole = mounted.transform(done -> opening.arrive(vertx.getOrCreateContext())
      .transform(all -> done.succeeded() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(done.cause())));
    return whole.compose(all -> certificate.configure(options))
      .compose(configured -> vertx.createHttpServer(options)
        .connectionHandler(guard::connected)
        .requestHandler(guard.watching(router))
        .listen())
      .onSuccess(bound -> {
        server = bound;
        vertx.setPeriodic(ConnectionGuard.SWEEP.toMillis(), id -> guard.sweep());
        certificate.watch(bound);
        String http = tls.enabled() ? "https" : "http";
        String ws = tls.enabled() ? "wss" : "ws";
        log.info("coordinator listening on {}://{}:{} (dashboard at /, agents connect to {}://{}:{}/bus)", http,
          settings.host(), bound.actualPort(), ws, settings.host(), bound.actualPort());
      });
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }
}
