package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.access.Caller;
import dev.kelpie.coordinator.http.Gatekeeper;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** Logging in and out, and who is logged in: the only API calls that need nobody. */
final class SessionApi {

  private final Gatekeeper gatekeeper;

  SessionApi(Gatekeeper gatekeeper) {
    this.gatekeeper = gatekeeper;
  }

  void mount(RouterBuilder builder) {
    builder.getRoute("getSession").addHandler(ctx -> {
      Caller caller = Gatekeeper.caller(ctx);
      // 200 even for nobody: a page must get its session (and CSRF token) before it can log in
      ctx.json(caller == null ? new JsonObject().putNull("user").putNull("role").put("local", false)
        : caller.toJson());
    });
    builder.getRoute("login").addHandler(ctx -> {
      JsonObject body = ctx.body().asJsonObject();
      gatekeeper.login(ctx, body.getString("username"), body.getString("password"))
        .onSuccess(caller -> ctx.json(caller.toJson()))
        .onFailure(failure -> {
          if (failure instanceof Gatekeeper.Throttled throttled) {
            ctx.response().putHeader("Retry-After", String.valueOf(throttled.retryAfterSeconds()));
            Problems.send(ctx, 429, "too_many_requests", failure.getMessage());
          } else {
            Problems.send(ctx, 401, "unauthenticated", failure.getMessage());
          }
        });
    });
    builder.getRoute("logout").addHandler(ctx -> {
      gatekeeper.logout(ctx);
      ctx.response().setStatusCode(204).end();
    });
  }
}
