package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.AccessSettings;
import dev.kelpie.coordinator.access.BearerToken;
import dev.kelpie.coordinator.access.Caller;
import dev.kelpie.coordinator.access.LoginThrottle;
import dev.kelpie.coordinator.access.Passwords;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides who is asking and whether they may: in front of {@code /api} and {@code /live}. A request carries a bearer
 * token (scripts), or a session cookie (people, after {@link #login}), or neither: then it is the local viewer if
 * {@code access.localViewing} is on and it comes from this machine directly (loopback, no proxy header), else 401.
 * Reading needs any caller; everything else (POST, DELETE) needs the operator role, else 403. Logging in and out and
 * the OpenAPI document need nobody.
 */
public final class Gatekeeper implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(Gatekeeper.class);
  private static final String CALLER = "kelpie.caller";
  private static final String SESSION_USER = "kelpie.user";
  private static final Set<String> OPEN_PATHS = Set.of("/api/session", "/api/openapi.yaml");
  /** A failed login answers only after this: guessing is slow, and a wrong name looks like a wrong password. */
  private static final Duration FAILED_LOGIN_DELAY = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final AccessSettings settings;
  private final Map<String, AccessSettings.User> users;
  /** API tokens by digest, like agents' tokens: one hash per request, no comparison on the secret itself. */
  private final Map<String, AccessSettings.ApiToken> tokenByDigest;
  private final LoginThrottle throttle = new LoginThrottle();
  /** Addresses with a password being checked now: one at a time each, so a flood queues behind itself. */
  private final Set<String> checking = ConcurrentHashMap.newKeySet();
  private final WorkerExecutor bcrypt;

  public Gatekeeper(Vertx vertx, AccessSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.users = settings.users().stream().collect(Collectors.toMap(AccessSettings.User::name, Function.identity()));
    this.tokenByDigest = settings.tokens().stream()
      .collect(Collectors.toMap(AccessSettings.ApiToken::tokenSha256, Function.identity(), (first, same) -> first));
    this.bcrypt = vertx.createSharedWorkerExecutor("kelpie-login", settings.loginChecksAtOnce());
    if (!settings.open()) {
      log.warn("access: no users, no tokens and no localViewing: the dashboard and the API let nobody in");
    }
  }

  /** The caller this request was let in as (null on the open paths when nobody is logged in). */
  public static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Caller caller;
    try {
      caller = identify(ctx);
    } catch (Refused refused) {
      Problems.send(ctx, 401, "unauthenticated", refused.getMessage());
      return;
    }
    if (caller != null) {
      ctx.put(CALLER, caller);
    }
    if (OPEN_PATHS.contains(ctx.normalizedPath())) {
      ctx.next();
    } else if (caller == null) {
      Problems.send(ctx, 401, "unauthenticated", settings.open()
        ? "log in (POST /api/session) or send Authorization: Bearer <token>"
        : "nobody may use the dashboard or the API: add users or tokens under access: in the coordinator's config");
    } else if (!reading(ctx.request().method()) && !caller.mayAct()) {
      Problems.send(ctx, 403, "forbidden", "'" + caller.name() + "' is a viewer; restarting, stopping, starting,"
        + " resetting, silencing and remediating need the operator role");
    } else {
      ctx.next();
    }
  }

  /**
   * Logs a person in: checks the password on a worker (bcrypt is slow on purpose), then starts a fresh session. An
   * address or name that failed too often waits first ({@link LoginThrottle}; refused as {@link Throttled}, without
   * a check); one check at a time per address, and at most {@code access.loginChecksAtOnce} in all.
   */
  public Future<Caller> login(RoutingContext ctx, String username, String password) {
    AccessSettings.User user = users.get(username);
    String from = remote(ctx);
    Duration wait = throttle.wait(from, username, System.currentTimeMillis());
    if (!wait.isZero()) {
      log.atWarn().addKeyValue("user", username).addKeyValue("from", from).log("login refused: too many failures");
      return Future.failedFuture(new Throttled("too many failed logins; try again in " + seconds(wait) + " s", wait));
    }
    if (!checking.add(from)) {
      return Future.failedFuture(new Throttled("a login from this address is being checked; try again when it is"
        + " answered", Duration.ofSeconds(1)));
    }
    return bcrypt.executeBlocking(() -> Passwords.matches(password, user == null ? null : user.passwordHash()), true)
      .andThen(done -> checking.remove(from))
      .compose(matches -> {
        if (!matches) {
          throttle.failed(from, username, System.currentTimeMillis());
          log.atWarn().addKeyValue("user", username).addKeyValue("from", from).log("failed login");
          return vertx.timer(FAILED_LOGIN_DELAY.toMillis())
            .compose(delayed -> Future.failedFuture(new Refused("wrong user name or password")));
        }
        throttle.succeeded(from);
        Session session = ctx.session();
        session.regenerateId();   // a session id known before the login is worth nothing after it
        session.put(SESSION_USER, user.name());
        Caller caller = new Caller(user.name(), user.role(), Caller.How.SESSION);
        ctx.put(CALLER, caller);
        log.atInfo().addKeyValue("user", user.name()).addKeyValue("from", remote(ctx)).log("logged in");
        return Future.succeededFuture(caller);
      });
  }

  public void logout(RoutingContext ctx) {
    if (ctx.session() != null) {
      ctx.session().destroy();
    }
  }

  private Caller identify(RoutingContext ctx) {
    String authorization = ctx.request().getHeader("Authorization");
    if (authorization != null) {
      BearerToken bearer = BearerToken.parse(authorization)
        .orElseThrow(() -> new Refused("Authorization: expected \"Bearer <token>\""));
      AccessSettings.ApiToken token = tokenByDigest.get(bearer.digest());
      if (token == null) {
        throw new Refused("the bearer token is not one of access.tokens");
      }
      return new Caller(token.name(), token.role(), Caller.How.TOKEN);
    }
    Session session = ctx.session();
    String name = session == null ? null : session.get(SESSION_USER);
    AccessSettings.User user = name == null ? null : users.get(name);
    if (user != null) {
      return new Caller(user.name(), user.role(), Caller.How.SESSION);
    }
    return settings.localViewing() && direct(ctx) ? Caller.LOCAL : null;
  }

  /** From this machine, and not through a proxy on it (which would make everyone look local). */
  static boolean direct(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    boolean loopback = remote != null && remote.hostAddress() != null
      && (remote.hostAddress().startsWith("127.") || remote.hostAddress().equals("0:0:0:0:0:0:0:1")
      || remote.hostAddress().equals("::1"));
    return loopback && ctx.request().getHeader("X-Forwarded-For") == null
      && ctx.request().getHeader("Forwarded") == null;
  }

  private static boolean reading(HttpMethod method) {
    return method == HttpMethod.GET || method == HttpMethod.HEAD;
  }

  private static String remote(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null ? "?" : remote.hostAddress();
  }

  private static long seconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /** A login not checked because its address or name failed too often; answered as 429 with Retry-After. */
  public static final class Throttled extends RuntimeException {

    private final Duration retryAfter;

    Throttled(String message, Duration retryAfter) {
      super(message, null, false, false);
      this.retryAfter = retryAfter;
    }

    public long retryAfterSeconds() {
      return seconds(retryAfter);
    }
  }

  /** Credentials that do not let anyone in; answered as 401 with this message. */
  private static final class Refused extends RuntimeException {

    Refused(String message) {
      super(message, null, false, false);
    }
  }
}
