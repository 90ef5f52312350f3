package dev.kelpie.coordinator.store;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP proxy on loopback that a test can cut (every connection dropped, new ones refused) and restore. */
public final class TcpProxy implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private int port;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  public int start() {
    server = vertx.createNetServer().connectHandler(client -> {
      client.pause();
      sockets.add(client);
      vertx.createNetClient().connect(targetPort, targetHost).onSuccess(upstream -> {
        sockets.add(upstream);
        client.handler(upstream::write);
        upstream.handler(client::write);
        client.closeHandler(v -> upstream.close());
        upstream.closeHandler(v -> client.close());
        client.resume();
      }).onFailure(failure -> client.close());
    }).listen(port, "127.0.0.1").await();
    port = server.actualPort();
    return port;
  }

  /** Drops every connection and refuses new ones. */
  public void cut() {
    server.close().await();
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  /** Listens again, on the same port. */
  public void restore() {
    start();
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
