package dev.kelpie.coordinator.gateway;

import io.vertx.core.Context;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Each agent's one connection, across every event loop serving the port (one {@link AgentGateway} each): a new
 * connection replaces the old one wherever that one is, and is closed on its own loop by its own gateway.
 */
public final class AgentConnections {

  private final ConcurrentMap<String, Connection> current = new ConcurrentHashMap<>();

  /** A connection and the gateway whose loop it lives on. */
  record Connection(SockJSSocket socket, Context context, AgentGateway gateway) {

    /** Tells its own gateway, on its own loop, that a newer connection of the agent replaced it. */
    void replaced(String agentId) {
      context.runOnContext(v -> gateway.replaced(agentId, socket));
    }
  }

  /** Makes {@code connection} the agent's one; returns the one it replaces, if any. */
  Connection open(String agentId, Connection connection) {
    return current.put(agentId, connection);
  }

  /** Forgets the agent's connection if it is still {@code socket}; true when it was (the agent is now gone). */
  boolean close(String agentId, SockJSSocket socket) {
    boolean[] was = new boolean[1];
    current.computeIfPresent(agentId, (id, connection) -> {
      was[0] = connection.socket() == socket;
      return was[0] ? null : connection;
    });
    return was[0];
  }
}
