package dev.kelpie.coordinator.http;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.XFrameHandler;

/**
 * The page at {@code /} and its files under {@code /ui}, from the jar's {@code webroot}: a strict
 * Content-Security-Policy (only this origin's scripts), never framed, the page itself never cached.
 */
public final class DashboardRoutes implements Routes {

  private static final String WEBROOT = "webroot";

  @Override
  public Future<Void> mount(Router router) {
    CSPHandler csp = CSPHandler.create()
      .addDirective("default-src", "'self'")
      .addDirective("style-src", "'self'")
      .addDirective("img-src", "'self' data:")
      .addDirective("frame-ancestors", "'none'");
    router.route("/").handler(csp).handler(XFrameHandler.create(XFrameHandler.DENY));
    router.route("/ui/*").handler(csp).handler(XFrameHandler.create(XFrameHandler.DENY));
    router.get("/").handler(ctx -> ctx.response().putHeader("cache-control", "no-cache")
      .sendFile(WEBROOT + "/index.html"));
    router.route("/ui/*").handler(StaticHandler.create(WEBROOT).setMaxAgeSeconds(60));
    return Future.succeededFuture();
  }
}
