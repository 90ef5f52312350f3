package dev.kelpie.coordinator.http;

import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SessionHandler;

/**
 * What stands in front of every {@code /api} route, in order: a 64 KB body limit, the session, the CSRF check for
 * cookie-carried requests, the {@link Gatekeeper}; and behind them, every failure answered as a problem.
 */
public final class ApiGuards implements Routes {

  static final int BODY_LIMIT = 64 * 1024;

  private final SessionHandler sessions;
  private final CsrfGuard csrf;
  private final Gatekeeper gatekeeper;
  private final ProblemTranslation problems;

  public ApiGuards(SessionHandler sessions, CsrfGuard csrf, Gatekeeper gatekeeper, ProblemTranslation problems) {
    this.sessions = sessions;
    this.csrf = csrf;
    this.gatekeeper = gatekeeper;
    this.problems = problems;
  }

  @Override
  public Future<Void> mount(Router router) {
    router.route("/api/*").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT));
    router.route("/api/*").handler(sessions);
    router.route("/api/*").handler(csrf);
    router.route("/api/*").handler(gatekeeper);
    router.route("/api/*").failureHandler(problems);
    return Future.succeededFuture();
  }
}
