package dev.kelpie.coordinator.gateway;

import dev.kelpie.coordinator.access.BearerToken;
import dev.kelpie.coordinator.load.WindowAdvisor;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.bus.AgentCodecs;
import dev.kelpie.shared.message.AgentLink;
import dev.kelpie.shared.rules.AgentMessages;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bridge's gatekeeper for agents. Identity comes from the bearer token presented when the connection opens, never
 * from what a message claims: an agent may send only as itself, to the agent addresses or as a reply, and may
 * register only its own command address. Every message must also be readable and within the shared
 * {@link dev.kelpie.shared.rules.AgentRules} (the rules the agent's config reader applies), and every frame readable by
 * the bridge ({@link ScreenedSocket}). Anything else is refused, logged with the reason (naming the field), and the
 * connection closed. A message taken goes on as the record it was read into (see {@link AgentCodecs}): each frame is
 * read once.
 */
public final class AgentGateway implements Handler<BridgeEvent> {

  private static final Logger log = LoggerFactory.getLogger(AgentGateway.class);
  private static final String REPLY_PREFIX = "__vertx.reply.";

  private final Vertx vertx;
  private final AgentTokens tokens;
  private final AgentConnections connections;
  private final Map<SockJSSocket, String> identities = new HashMap<>();
  private final Set<SockJSSocket> refused = new HashSet<>();

  /** Built on the HTTP verticle's context; an agent given up by this node (its lease lost) is disconnected here. */
  public AgentGateway(Vertx vertx, AgentTokens tokens) {
    this(vertx, tokens, new AgentConnections());
  }

  /** @param connections every agent's one connection, shared with the gateways of the port's other event loops */
  public AgentGateway(Vertx vertx, AgentTokens tokens, AgentConnections connections) {
    this(vertx, tokens, connections, WindowAdvisor.none());
  }

  /** @param advisor the batch window advice, which watches this gateway's loop (the one it is built on) */
  public AgentGateway(Vertx vertx, AgentTokens tokens, AgentConnections connections, WindowAdvisor advisor) {
    advisor.watch(vertx);
    this.vertx = vertx;
    this.tokens = tokens;
    this.connections = connections;
    AgentCodecs.registerOn(vertx.eventBus());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.GATEWAY_AGENT_DROP, msg -> drop(msg.body().getString("agentId")));
  }

  /** The agent was given up by this node (its lease lost): its connection is closed by the gateway whose loop has it. */
  private void drop(String agentId) {
    List<SockJSSocket> sockets = identities.entrySet().stream().filter(entry -> entry.getValue().equals(agentId))
      .map(Map.Entry::getKey).toList();
    for (SockJSSocket socket : sockets) {
      log.atWarn().addKeyValue("agent", agentId).log("disconnected: another coordinator owns the agent now");
      socket.close();
    }
  }

  /** Only the agent addresses in, only command addresses out; the per-agent rules are in {@link #handle}. */
  public static SockJSBridgeOptions bridgeOptions(Duration pingTimeout) {
    return new SockJSBridgeOptions()
      .addInboundPermitted(new PermittedOptions().setAddress(Addresses.AGENT_HELLO))
      .addInboundPermitted(new PermittedOptions().setAddress(Addresses.AGENT_REPORTS))
      .addInboundPermitted(new PermittedOptions().setAddress(Addresses.AGENT_KEEPALIVE))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(Addresses.AGENT_COMMANDS_REGEX))
      .setPingTimeout(pingTimeout.toMillis())
      .setMaxHandlersPerSocket(64);
  }

  /**
   * The socket the bridge is given: its error frames end the connection, and any frame from the agent is also its
   * ping, {@code pingTimeout} being the bridge's (see {@link ScreenedSocket}).
   */
  public SockJSSocket screen(SockJSSocket socket, Duration pingTimeout) {
    ScreenedSocket[] screened = new ScreenedSocket[1];
    screened[0] = new ScreenedSocket(vertx, socket, pingTimeout, why -> {
      if (refused.add(screened[0])) {
        log.atWarn().addKeyValue("agent", identities.get(screened[0])).addKeyValue("remote", socket.remoteAddress())
          .log("refused and disconnected: {}", why);
        socket.close();
      }
    });
    return screened[0];
  }

  @Override
  public void handle(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    switch (event.type()) {
      case SOCKET_CREATED -> opened(event, socket);
      case SOCKET_CLOSED -> {
        refused.remove(socket);
        closed(socket);
        event.complete(true);
      }
      case SEND -> sent(event, socket);
      case REGISTER -> registered(event, socket);
      case PUBLISH -> refuse(event, socket, "agents may not publish");
      default -> event.complete(true);
    }
  }

  private void opened(BridgeEvent event, SockJSSocket socket) {
    String agentId = tokens.identify(socket);
    if (agentId == null) {
      log.atWarn().addKeyValue("remote", socket.remoteAddress())
        .log("refused a connection: missing or unknown agent token");
      event.complete(false);
      return;
    }
    identities.put(socket, agentId);
    AgentConnections.Connection previous = connections.open(agentId,
      new AgentConnections.Connection(socket, vertx.getOrCreateContext(), this));
    if (previous != null) {
      log.atWarn().addKeyValue("agent", agentId).log("a new connection replaces the agent's previous one");
      previous.replaced(agentId);
    }
    event.complete(true);
    // once the bridge has set the socket up: a frame over the size limit costs the sender its connection
    vertx.runOnContext(v -> socket.exceptionHandler(failure -> {
      log.atWarn().addKeyValue("agent", agentId).addKeyValue("remote", socket.remoteAddress())
        .log("disconnected: {}", failure.getMessage());
      socket.close();
    }));
  }

  /** On this gateway's loop: the agent's newer connection (on any loop) replaced {@code socket}. */
  void replaced(String agentId, SockJSSocket socket) {
    if (identities.remove(socket, agentId)) {
      socket.close();
    }
  }

  private void closed(SockJSSocket socket) {
    String agentId = identities.remove(socket);
    if (agentId != null && connections.close(agentId, socket)) {
      vertx.eventBus().send(Addresses.GATEWAY_AGENT_LINK,
        new AgentLink(agentId, false, String.valueOf(socket.remoteAddress())).toJson());
    }
  }

  private void sent(BridgeEvent event, SockJSSocket socket) {
    String agentId = identities.get(socket);
    if (closing(event, socket, agentId)) {
      return;
    }
    JsonObject raw = event.getRawMessage();
    String address = raw.getString("address");
    if (address != null && address.startsWith(REPLY_PREFIX)) {
      event.complete(true);
      return;
    }
    if (!Addresses.AGENT_HELLO.equals(address) && !Addresses.AGENT_REPORTS.equals(address)
      && !Addresses.AGENT_KEEPALIVE.equals(address)) {
      refuse(event, socket, "may not send to '" + address + "'");
      return;
    }
    // the body read already (the usual frame, see ScreenedSocket), or as the bridge read the frame
    Object read = socket instanceof ScreenedSocket screened ? screened.messageRead() : null;
    Object body = read != null ? read : raw.getValue("body");
    if (!(body instanceof JsonObject) && read == null) {
      refuse(event, socket, "a message to " + address + " must have a JSON object body");
      return;
    }
    Object claimed = body instanceof JsonObject json ? json.getValue("agentId") : AgentMessages.agentId(body);
    if (!agentId.equals(claimed)) {
      refuse(event, socket, "sent as agent '" + claimed + "' but its token is agent '" + agentId + "'");
      return;
    }
    AgentMessages.Reading reading = body instanceof JsonObject json ? AgentMessages.read(address, json)
      : AgentMessages.judge(address, body);
    if (!reading.taken()) {
      tellAgent(socket, raw.getValue("replyAddress"), reading.problem());
      refuse(event, socket, "a message to " + address + ": " + reading.problem());
      return;
    }
    // the bridge sends the frame's body on: the record read here, which its codec delivers to the policy uncopied
    raw.put("body", reading.message());
    event.complete(true);
  }

  /**
   * Frames still arriving on a connection being closed (refused, or replaced by the agent's newer one) are dropped:
   * closing a socket does not stop what it had already received.
   */
  private boolean closing(BridgeEvent event, SockJSSocket socket, String agentId) {
    if (agentId == null || refused.contains(socket)) {
      event.complete(false);
      return true;
    }
    return false;
  }

  /** The agent is told why, as the failure of its request, before its connection closes. */
  private void tellAgent(SockJSSocket socket, Object replyAddress, String why) {
    if (replyAddress instanceof String address) {
      refused.add(socket);
      socket.write(new JsonObject().put("type", "err").put("address", address)
        .put("failureCode", ScreenedSocket.REFUSED).put("failureType", "RECIPIENT_FAILURE").put("message", why)
        .toBuffer());
    }
  }

  private void registered(BridgeEvent event, SockJSSocket socket) {
    String agentId = identities.get(socket);
    if (closing(event, socket, agentId)) {
      return;
    }
    String address = event.getRawMessage().getString("address");
    if (!Addresses.agentCommands(agentId).equals(address)) {
      refuse(event, socket, "may not receive from '" + address + "'");
      return;
    }
    event.complete(true);
  }

  private void refuse(BridgeEvent event, SockJSSocket socket, String why) {
    refused.add(socket);
    log.atWarn().addKeyValue("agent", identities.get(socket)).addKeyValue("remote", socket.remoteAddress())
      .log("refused and disconnected: {}", why);
    event.complete(false);
    socket.close();
  }
}
