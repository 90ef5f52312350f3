package dev.kelpie.coordinator.http;

import dev.kelpie.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SessionHandler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

import java.net.URI;
import java.time.Duration;

/**
 * {@code /live}: the dashboards' changes, over an event-bus bridge that is outbound only and carries one address,
 * to callers the {@link Gatekeeper} lets in, from this coordinator's own pages.
 */
public final class LiveBridge implements Routes {

  private final Vertx vertx;
  private final SessionHandler sessions;
  private final Gatekeeper gatekeeper;

  public LiveBridge(Vertx vertx, SessionHandler sessions, Gatekeeper gatekeeper) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.gatekeeper = gatekeeper;
  }

  @Override
  public Future<Void> mount(Router router) {
    router.route("/live/*").handler(sessions).handler(LiveBridge::sameOrigin).handler(gatekeeper);
    router.route("/live/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddress(Addresses.DASHBOARD_CHANGES))
      .setPingTimeout(Duration.ofSeconds(30).toMillis()), LiveBridge::shownToCaller));
    return Future.succeededFuture();
  }

  /** A viewer's changes without command lines' arguments ({@link ViewerRedaction}); the published body is shared. */
  private static void shownToCaller(BridgeEvent event) {
    if (event.type() == BridgeEventType.RECEIVE && event.socket().routingContext() != null
      && !ViewerRedaction.seesAll(Gatekeeper.caller(event.socket().routingContext()))
      && event.getRawMessage() != null && event.getRawMessage().getValue("body") instanceof JsonObject body) {
      JsonObject raw = event.getRawMessage().copy();
      raw.put("body", ViewerRedaction.redact(body.copy()));
      event.setRawMessage(raw);
    }
    event.complete(true);
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
}
