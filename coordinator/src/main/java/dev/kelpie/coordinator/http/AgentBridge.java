package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.gateway.AgentGateway;
import dev.kelpie.coordinator.gateway.AgentWebSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.impl.EventBusBridgeImpl;

import java.time.Duration;

/**
 * {@code /bus}: the agents' event-bus bridge, every event of it judged by the {@link AgentGateway}, every socket
 * screened by it. {@code SockJSHandler.bridge} is what this does, but for the screen it has no place. Agents connect
 * to {@code /bus/websocket}, whose sockets hand their messages on as bytes ({@link AgentWebSocket}); SockJS's other
 * transports stay as they are.
 */
public final class AgentBridge implements Routes {

  private final Vertx vertx;
  private final AgentGateway gateway;
  private final Duration pingTimeout;
  private final int maxMessageBytes;

  /** @param maxMessageBytes the largest message accepted, as the port's WebSocket options say */
  public AgentBridge(Vertx vertx, AgentGateway gateway, Duration pingTimeout, int maxMessageBytes) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.pingTimeout = pingTimeout;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public Future<Void> mount(Router router) {
    EventBusBridgeImpl bridge = new EventBusBridgeImpl(vertx, null, AgentGateway.bridgeOptions(pingTimeout), gateway);
    router.get("/bus/websocket").handler(AgentWebSocket.upgrading(vertx, maxMessageBytes,
      socket -> bridge.handle(gateway.screen(socket, pingTimeout))));
    router.route("/bus/*").subRouter(SockJSHandler.create(vertx)
      .socketHandler(socket -> bridge.handle(gateway.screen(socket, pingTimeout))));
    return Future.succeededFuture();
  }
}
