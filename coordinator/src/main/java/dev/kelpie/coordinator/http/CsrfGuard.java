package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.AccessSettings;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSRFHandler;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * CSRF tokens for requests that carry the session cookie (Vert.x's CSRF handler: the {@code XSRF-TOKEN} cookie, sent
 * back in an {@code X-XSRF-TOKEN} header on every POST or DELETE). A request with an {@code Authorization} header is
 * let through: a bearer token is not ambient authority, a forged cross-site request cannot carry it.
 */
public final class CsrfGuard implements Handler<RoutingContext> {

  /** Set on the requests this guard checked, so their 403 can say what is missing. */
  static final String CHECKED = "kelpie.csrf";

  private final CSRFHandler csrf;

  public CsrfGuard(Vertx vertx, AccessSettings access) {
    this(vertx, access, randomSecret());
  }

  /** @param secret signs the tokens; the port's event loops share one, so a token from one is good on another */
  public CsrfGuard(Vertx vertx, AccessSettings access, String secret) {
    this.csrf = CSRFHandler.create(vertx, secret)
      .setCookieSecure(access.secureCookies())
      .setTimeout(access.sessionTimeout().toMillis());
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().getHeader("Authorization") != null) {
      ctx.next();
    } else {
      ctx.put(CHECKED, true);
      csrf.handle(ctx);
    }
  }

  static boolean checked(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(CHECKED));
  }

  public static String randomSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }
}
