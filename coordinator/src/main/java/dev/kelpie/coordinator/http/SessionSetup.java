package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.AccessSettings;
import io.vertx.core.Vertx;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.ext.web.sstore.LocalSessionStore;

/**
 * People's sessions, shared by the API and the live bridge: cookie {@code kelpie.session}, HttpOnly, SameSite=Strict,
 * Secure unless {@code access.secureCookies} is off, ended after {@code access.sessionTimeout} unused, kept in this
 * coordinator's memory and made only when someone logs in.
 */
public final class SessionSetup {

  private SessionSetup() {
  }

  public static SessionHandler sessions(Vertx vertx, AccessSettings access) {
    return SessionHandler.create(LocalSessionStore.create(vertx))
      .setSessionCookieName("kelpie.session")
      .setCookieHttpOnlyFlag(true)
      .setCookieSecureFlag(access.secureCookies())
      .setCookieSameSite(CookieSameSite.STRICT)
      .setSessionTimeout(access.sessionTimeout().toMillis())
      .setLazySession(true);
  }
}
