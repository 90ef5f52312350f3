package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.http.Gatekeeper;
import dev.kelpie.coordinator.config.AccessSettings;
import dev.kelpie.coordinator.gateway.AgentGateway;
import dev.kelpie.coordinator.gateway.AgentTokens;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.shared.bus.Addresses;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.CSRFHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.XFrameHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.ext.web.sstore.LocalSessionStore;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.SchemaValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's one port: the agents' bus bridge at {@code /bus}; the dashboard at {@code /} (files under
 * {@code /ui}); the REST API at {@code /api}, routed and validated from {@code openapi.yaml}; the dashboards' live
 * changes at {@code /live} (an outbound-only event-bus bridge); metrics and probes at {@code /metrics},
 * {@code /health}, {@code /ready}, open to anyone who can reach the port.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(HttpVerticle.class);
  private static final String CONTRACT = "openapi.yaml";

  private final String host;
  private final int port;
  private final int maxFrameBytes;
  private final Duration pingTimeout;
  private final AgentTokens tokens;
  private final PrometheusMeterRegistry registry;
  private final Store store;
  private final AccessSettings access;
  private HttpServer server;

  public HttpVerticle(String host, int port, int maxFrameBytes, Duration pingTimeout, AgentTokens tokens,
                      PrometheusMeterRegistry registry, Store store, AccessSettings access) {
    this.store = store;
    this.host = host;
    this.port = port;
    this.maxFrameBytes = maxFrameBytes;
    this.pingTimeout = pingTimeout;
    this.tokens = tokens;
    this.registry = registry;
    this.access = access;
  }

  @Override
  public Future<?> start() {
    return vertx.fileSystem().readFile(CONTRACT).compose(this::routedContract).compose(contract -> {
      Router router = Router.router(vertx);
      router.route("/bus/*").subRouter(SockJSHandler.create(vertx)
        .bridge(AgentGateway.bridgeOptions(pingTimeout), new AgentGateway(vertx, tokens)));
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
      router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "up")));
      router.get("/ready").handler(new Readiness(vertx, () -> server != null)::handle);
      mountDashboard(router);
      mountApi(router, contract);
      HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setMaxWebSocketFrameSize(maxFrameBytes)
        .setMaxWebSocketMessageSize(maxFrameBytes);
      return vertx.createHttpServer(options).requestHandler(router).listen();
    }).onSuccess(bound -> {
      server = bound;
      log.info("coordinator listening on http://{}:{} (dashboard at /, agents connect to ws://{}:{}/bus)", host,
        bound.actualPort(), host, bound.actualPort());
      if (!access.open()) {
        log.warn("access: no users, no tokens and no localViewing: the dashboard and the API let nobody in");
      }
    });
  }

  /** The port actually bound, which differs from the configured one when that was 0. */
  public int actualPort() {
    return server.actualPort();
  }

  /** The page and its files; strict CSP (only this origin's scripts), never framed. */
  private void mountDashboard(Router router) {
    CSPHandler csp = CSPHandler.create()
      .addDirective("default-src", "'self'")
      .addDirective("style-src", "'self' 'unsafe-inline'")
      .addDirective("img-src", "'self' data:")
      .addDirective("frame-ancestors", "'none'");
    router.route("/").handler(csp).handler(XFrameHandler.create(XFrameHandler.DENY));
    router.route("/ui/*").handler(csp).handler(XFrameHandler.create(XFrameHandler.DENY));
    router.get("/").handler(ctx -> ctx.response().putHeader("cache-control", "no-cache")
      .sendFile("webroot/index.html"));
    router.route("/ui/*").handler(StaticHandler.create("webroot").setMaxAgeSeconds(60));
  }

  /**
   * Sessions (cookie {@code kelpie.session}: HttpOnly, SameSite=Strict, Secure unless {@code access.secureCookies}
   * is off), CSRF tokens for cookie-carried requests ({@code XSRF-TOKEN} cookie, {@code X-XSRF-TOKEN} header), the
   * {@link Gatekeeper}, then the routes of the OpenAPI document and the live bridge.
   */
  private void mountApi(Router router, OpenAPIContract contract) {
    Gatekeeper gatekeeper = new Gatekeeper(vertx, access);
    SessionHandler sessions = SessionHandler.create(LocalSessionStore.create(vertx))
      .setSessionCookieName("kelpie.session")
      .setCookieHttpOnlyFlag(true)
      .setCookieSecureFlag(access.secureCookies())
      .setCookieSameSite(CookieSameSite.STRICT)
      .setSessionTimeout(access.sessionTimeout().toMillis())
      .setLazySession(true);
    CSRFHandler csrf = CSRFHandler.create(vertx, randomSecret())
      .setCookieSecure(access.secureCookies())
      .setTimeout(access.sessionTimeout().toMillis());
    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.route("/api/*").handler(sessions);
    router.route("/api/*").handler(ctx -> {
      if (ctx.request().getHeader("Authorization") != null) {
        ctx.next();   // a bearer token is not ambient authority: a forged cross-site request cannot carry it
      } else {
        ctx.put("kelpie.csrf", true);
        csrf.handle(ctx);
      }
    });
    router.route("/api/*").handler(gatekeeper);
    router.route("/api/*").failureHandler(HttpVerticle::failed);

    router.route("/live/*").handler(sessions).handler(HttpVerticle::sameOrigin).handler(gatekeeper);
    router.route("/live/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddress(Addresses.DASHBOARD_CHANGES))
      .setPingTimeout(Duration.ofSeconds(30).toMillis())));

    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    builder.getRoute("getOpenApi").addHandler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
      .sendFile(CONTRACT));
    new SessionApi(gatekeeper).mount(builder);
    new FleetApi(vertx).mount(builder);
    new HistoryApi(store).mount(builder);
    router.route("/*").subRouter(builder.createRouter());
    router.route("/api/*").handler(ctx -> Problems.send(ctx, ctx.statusCode() == 405 ? 405 : 404,
      "not_found", "no " + ctx.request().method() + " " + ctx.normalizedPath() + " in this API (see /api/openapi.yaml)"));
  }

  /**
   * The document as routed: its security requirements are for readers and clients; the {@link Gatekeeper} enforces
   * them in front of every route (the router builder only knows Vert.x's own authentication handlers).
   */
  private Future<OpenAPIContract> routedContract(Buffer yaml) {
    Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml.toString());
    JsonObject raw = new JsonObject(Json.encode(document));
    raw.remove("security");
    raw.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(operation -> {
      if (operation.getValue() instanceof JsonObject json) {
        json.remove("security");
      }
    }));
    return OpenAPIContract.from(vertx, raw);
  }

  /** A browser's WebSocket from another site would carry the session cookie but an Origin of its own. */
  private static void sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    String hostHeader = ctx.request().getHeader("Host");
    if (origin != null && hostHeader != null) {
      try {
        if (!hostHeader.equalsIgnoreCase(URI.create(origin).getRawAuthority())) {
          Problems.send(ctx, 403, "forbidden", "live updates are served to this coordinator's own pages only");
          return;
        }
      } catch (IllegalArgumentException e) {
        Problems.send(ctx, 403, "forbidden", "unreadable Origin header");
        return;
      }
    }
    ctx.next();
  }

  /** Whatever went wrong on the API, as {@code {status, code, message}}. */
  private static void failed(RoutingContext ctx) {
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    Throwable failure = ctx.failure();
    String message = failure == null ? null : failure.getMessage();
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      message = http.getCause() instanceof SchemaValidationException invalid ? explain(invalid)
        : http.getCause() != null ? http.getCause().getMessage() : http.getPayload();
    }
    if (status == 403 && Boolean.TRUE.equals(ctx.get("kelpie.csrf")) && !ctx.response().headWritten()) {
      Problems.send(ctx, 403, "csrf", "missing or stale X-XSRF-TOKEN header: send back the XSRF-TOKEN cookie's"
        + " value (any GET renews it)" + (message == null ? "" : "; " + message));
      return;
    }
    switch (status) {
      case 400 -> Problems.send(ctx, 400, message != null && message.contains(" parameter ") ? "bad_parameter"
        : "bad_request", message == null ? "bad request" : message);
      case 413 -> Problems.send(ctx, 413, "too_large", "the request body is over 64 KB");
      case 415 -> Problems.send(ctx, 415, "unsupported_media_type", "send JSON (Content-Type: application/json)");
      default -> {
        if (status >= 500) {
          log.error("API request {} {} failed", ctx.request().method(), ctx.normalizedPath(), failure);
        }
        Problems.send(ctx, status, status >= 500 ? "internal" : "error", message == null ? "request failed" : message);
      }
    }
  }

  /**
   * The validator's own summary names the wrapping keyword ("does not match additional properties schema") when a
   * known property has a bad value; the leaves of its output say what is actually wrong, and where.
   */
  static String explain(SchemaValidationException invalid) {
    List<String> leaves = new ArrayList<>();
    collect(invalid.getOutputUnit(), leaves);
    List<String> precise = leaves.stream().filter(leaf -> !leaf.contains("additional properties")
      && !leaf.contains("unevaluated")).toList();
    String where = invalid.getMessage().replaceFirst(" Reason: .*", "");
    return precise.isEmpty() ? invalid.getMessage() : where + " " + String.join("; ", precise);
  }

  private static void collect(OutputUnit unit, List<String> leaves) {
    if (unit == null) {
      return;
    }
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      if (unit.getError() != null) {
        String at = unit.getInstanceLocation() == null || unit.getInstanceLocation().equals("#") ? ""
          : unit.getInstanceLocation().replaceFirst("^#/", "") + ": ";
        leaves.add(at + unit.getError());
      }
      return;
    }
    unit.getErrors().forEach(child -> collect(child, leaves));
  }

  private static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
