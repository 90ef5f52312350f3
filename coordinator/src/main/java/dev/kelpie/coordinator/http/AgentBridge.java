package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.gateway.AgentGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl;

import java.time.Duration;

/**
 * {@code /bus}: the agents' event-bus bridge, every event of it judged by the {@link AgentGateway}, every socket
 * screened by it. {@code SockJSHandler.bridge} is what this does, but for the screen it has no place.
 */
public final class AgentBridge implements Routes {

  private final Vertx vertx;
  private final AgentGateway gateway;
  private final Duration pingTimeout;

  public AgentBridge(Vertx vertx, AgentGateway gateway, Duration pingTimeout) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.pingTimeout = pingTimeout;
  }

  @Override
  public Future<Void> mount(Router router) {
    EventBusBridgeImpl bridge = new EventBusBridgeImpl(vertx, null, AgentGateway.bridgeOptions(pingTimeout), gateway);
    router.route("/bus/*").subRouter(SockJSHandler.create(vertx)
      .socketHandler(socket -> bridge.handle(gateway.screen(socket, pingTimeout))));
    return Future.succeededFuture();
  }
}
