package dev.kelpie.coordinator;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports for a test's servers: each free when taken, and never one this JVM handed out before. The kernel may give
 * the port just closed again to the next bind on port 0, so two ports taken one after the other (a coordinator's
 * HTTP and cluster ports) were once the same, and the second server could not listen.
 */
public final class FreePorts {

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {
  }

  public static int next() throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }
}
