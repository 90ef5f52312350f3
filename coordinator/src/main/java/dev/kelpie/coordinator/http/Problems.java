package dev.kelpie.coordinator.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Every error the API gives: {@code {status, code, message}}, JSON, the status also as the HTTP status. */
public final class Problems {

  private Problems() {
  }

  public static void send(RoutingContext ctx, int status, String code, String message) {
    if (ctx.response().ended() || ctx.response().headWritten()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
      .end(new JsonObject().put("status", status).put("code", code).put("message", message).encode());
  }
}
