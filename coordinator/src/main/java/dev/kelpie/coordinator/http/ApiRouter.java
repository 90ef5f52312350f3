package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/**
 * The REST API's routes, built from {@code openapi.yaml} (so the document cannot drift from what is served): every
 * request is validated against its operation before Kelpie's handler sees it. Anything else under {@code /api} is a
 * 404 naming what was asked for.
 */
public final class ApiRouter implements Routes {

  static final String CONTRACT = "openapi.yaml";

  private final Vertx vertx;
  private final Gatekeeper gatekeeper;
  private final Store store;

  public ApiRouter(Vertx vertx, Gatekeeper gatekeeper, Store store) {
    this.vertx = vertx;
    this.gatekeeper = gatekeeper;
    this.store = store;
  }

  @Override
  public Future<Void> mount(Router router) {
    return RoutedContract.load(vertx, CONTRACT).map(contract -> {
      RouterBuilder builder = RouterBuilder.create(vertx, contract, new BodyWatch());
      builder.getRoute("getOpenApi").addHandler(ctx -> ctx.response().putHeader("content-type", "application/yaml")
        .sendFile(CONTRACT));
      new SessionApi(gatekeeper).mount(builder);
      new FleetApi(vertx).mount(builder);
      new HistoryApi(store).mount(builder);
      new RemediationApi(vertx, store.history()).mount(builder);
      router.route("/*").subRouter(builder.createRouter());
      router.route("/api/*").handler(ctx -> Problems.send(ctx, ctx.statusCode() == 405 ? 405 : 404, "not_found",
        "no " + ctx.request().method() + " " + ctx.normalizedPath() + " in this API (see /api/openapi.yaml)"));
      return null;
    });
  }
}
