package dev.kelpie.coordinator.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback that a test can cut (every connection dropped, new ones refused), freeze (connections stay
 * open, nothing goes through either way: a database that hangs) and restore. Test code: plain threads, one pair per
 * connection.
 */
public final class TcpProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Socket> held = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile ServerSocket server;
  private boolean frozen;
  private int port;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  public synchronized int start() throws IOException {
    ServerSocket listening = new ServerSocket();
    listening.setReuseAddress(true);
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    port = listening.getLocalPort();
    server = listening;
    Thread accept = new Thread(() -> {
      while (!listening.isClosed()) {
        try {
          Socket client = listening.accept();
          Socket upstream = new Socket(targetHost, targetPort);
          sockets.add(client);
          sockets.add(upstream);
          pump(client, upstream);
          pump(upstream, client);
        } catch (IOException e) {
          return;
        }
      }
    }, "tcp-proxy-accept");
    accept.setDaemon(true);
    accept.start();
    return port;
  }

  /** Drops every connection and refuses new ones. */
  public synchronized void cut() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }

  /** Drops every connection open now and keeps listening: the next connect goes through. */
  public synchronized void dropConnections() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }

  /** Holds every byte, both ways, on connections open and new, until {@link #thaw()}. */
  public void freeze() {
    synchronized (gate) {
      frozen = true;
    }
  }

  /** Holds every byte, both ways, on the connections open now; new ones pass, until {@link #thaw()}. */
  public void holdOpen() {
    synchronized (gate) {
      held.addAll(sockets);
    }
  }

  public void thaw() {
    synchronized (gate) {
      frozen = false;
      held.clear();
      gate.notifyAll();
    }
  }

  private void passWhenThawed(Socket from) throws InterruptedException {
    synchronized (gate) {
      while (frozen || held.contains(from)) {
        gate.wait();
      }
    }
  }

  /** Listens again, on the same port. */
  public void restore() throws IOException {
    start();
  }

  @Override
  public void close() throws IOException {
    thaw();
    cut();
  }

  private void pump(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          passWhenThawed(from);
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // one side closed: close both below
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }, "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }
}
