package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.AccessSettings;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * First on the port, for everything: {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}
 * on every answer (page, files, API, metrics), and, with {@code access.localViewing}, a request from this machine
 * that names another host in {@code Host} refused with 421: a page whose own name was pointed at 127.0.0.1 (DNS
 * rebinding) would otherwise read the fleet as the local viewer. The agents' {@code /bus} is left alone: it needs a
 * token, which such a page cannot send.
 */
public final class FrontDoor implements Routes {

  private final boolean localViewing;
  private final Set<String> names = new HashSet<>(Set.of("localhost", "[::1]"));

  public FrontDoor(String httpHost, AccessSettings access) {
    this.localViewing = access.localViewing();
    names.add(httpHost.toLowerCase(Locale.ROOT));
    access.hostNames().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
  }

  @Override
  public Future<Void> mount(Router router) {
    router.route().handler(this::handle);
    return Future.succeededFuture();
  }

  private void handle(RoutingContext ctx) {
    ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
    String host = hostOf(ctx.request().getHeader("Host"));
    if (localViewing && host != null && !known(host) && !ctx.normalizedPath().startsWith("/bus/")
      && Gatekeeper.direct(ctx)) {
      Problems.send(ctx, 421, "misdirected", "this coordinator is not '" + host + "' (a request from this machine "
        + "must name it as localhost, a loopback address, http.host or one of access.hostNames)");
      return;
    }
    ctx.next();
  }

  private boolean known(String host) {
    return names.contains(host) || host.matches("127(\\.[0-9]{1,3}){3}");
  }

  /** The host part of a Host header, lowercase, without the port; null when there is none. */
  static String hostOf(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      return end < 0 ? value : value.substring(0, end + 1);
    }
    int colon = value.indexOf(':');
    return colon < 0 ? value : value.substring(0, colon);
  }
}
