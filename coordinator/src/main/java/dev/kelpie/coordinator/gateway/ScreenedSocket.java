package dev.kelpie.coordinator.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.impl.SockJSSocketBase;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * An agent's bridge socket, watched on its way out. The bridge answers a frame it cannot read (not JSON, no type, no
 * address, an unknown type) with an error frame and nothing else, and answers a message the coordinator refused as
 * the agent's own mistake (failure code {@value #REFUSED}) with the failure: both are written here, so this is where
 * they are seen and told to the gateway, which logs them and closes the connection. Everything else passes through.
 * A report batch or keepalive of the usual shape is read here, once, into its record ({@link AgentFrame}). It extends
 * the bridge's socket base because the bridge's idle check expects one.
 */
final class ScreenedSocket extends SockJSSocketBase {

  /** The failure code of a message refused as the agent's own mistake; PolicyVerticle.MALFORMED has the same. */
  static final int REFUSED = 400;

  private static final byte[] ERROR_FRAME = "{\"type\":\"err\"".getBytes(StandardCharsets.US_ASCII);
  private static final String OWN_REFUSAL = "rejected";

  private static final String PING_FRAME = "{\"type\":\"ping\"}";

  private final SockJSSocket socket;
  private final Consumer<String> onRefused;
  private final long aliveEveryNanos;
  private long lastAliveNanos;
  private Object messageRead;

  /**
   * @param pingTimeout the bridge's: a socket it hears no ping from for this long is closed
   * @param onRefused   told why, once per error frame that costs the agent its connection
   */
  ScreenedSocket(Vertx vertx, SockJSSocket socket, Duration pingTimeout, Consumer<String> onRefused) {
    super(vertx, socket.routingContext(), new SockJSHandlerOptions().setRegisterWriteHandler(false));
    this.socket = socket;
    this.onRefused = onRefused;
    this.aliveEveryNanos = pingTimeout.toNanos() / 3;
    this.lastAliveNanos = System.nanoTime() - aliveEveryNanos;
  }

  @Override
  public Future<Void> write(Buffer data) {
    Future<Void> written = socket.write(data);
    String why = refusal(data);
    if (why != null) {
      onRefused.accept(why);
    }
    return written;
  }

  /** Why this outgoing frame ends the connection, or null. */
  static String refusal(Buffer data) {
    if (data.length() < ERROR_FRAME.length) {
      return null;
    }
    for (int i = 0; i < ERROR_FRAME.length; i++) {
      if (data.getByte(i) != ERROR_FRAME[i]) {
        return null;
      }
    }
    JsonObject frame;
    try {
      frame = new JsonObject(data);
    } catch (RuntimeException notOurs) {
      return null;
    }
    if (frame.getValue("address") == null && frame.getValue("body") instanceof String error) {
      return OWN_REFUSAL.equals(error) ? null : "malformed frame (" + error + ")";
    }
    if (frame.getValue("failureCode") instanceof Number code && code.intValue() == REFUSED) {
      return frame.getString("message");
    }
    return null;
  }

  @Override
  public SockJSSocket exceptionHandler(Handler<Throwable> handler) {
    socket.exceptionHandler(handler);
    return this;
  }

  /**
   * Any frame from the agent also counts as its bridge ping (at most one a third of the bridge's ping timeout),
   * passed to the bridge before the frame itself: the bridge's idle clock starts when the socket opens and only a ping
   * frame resets it, so under a reconnect storm a hello read late (however busy the agent's side or this one) was
   * answered and its connection closed at once for a ping still on its way, and the agent came back to say hello again.
   */
  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    socket.handler(handler == null ? null : data -> {
      long now = System.nanoTime();
      if (now - lastAliveNanos >= aliveEveryNanos) {
        lastAliveNanos = now;
        handler.handle(Buffer.buffer(PING_FRAME));
      }
      AgentFrame frame = AgentFrame.read(data);
      if (frame == null) {
        handler.handle(data);
        return;
      }
      messageRead = frame.message();
      try {
        handler.handle(frame.envelope());
      } finally {
        messageRead = null;
      }
    });
    return this;
  }

  /**
   * The body of the frame the bridge is handling now, read already into its record ({@link AgentFrame}), or null when
   * the bridge was handed the frame as it came. The bridge asks the gateway about a frame before it returns.
   */
  Object messageRead() {
    return messageRead;
  }

  @Override
  public SockJSSocket pause() {
    socket.pause();
    return this;
  }

  @Override
  public SockJSSocket resume() {
    socket.resume();
    return this;
  }

  @Override
  public SockJSSocket fetch(long amount) {
    socket.fetch(amount);
    return this;
  }

  @Override
  public SockJSSocket endHandler(Handler<Void> endHandler) {
    socket.endHandler(endHandler);
    return this;
  }

  @Override
  public SockJSSocket closeHandler(Handler<Void> closeHandler) {
    socket.closeHandler(closeHandler);
    return this;
  }

  @Override
  public SockJSSocket setWriteQueueMaxSize(int maxSize) {
    socket.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public SockJSSocket drainHandler(Handler<Void> handler) {
    socket.drainHandler(handler);
    return this;
  }

  @Override
  public String writeHandlerID() {
    return socket.writeHandlerID();
  }

  @Override
  public Future<Void> end() {
    return socket.end();
  }

  @Override
  public void close() {
    socket.close();
  }

  @Override
  public void close(int statusCode, String reason) {
    socket.close(statusCode, reason);
  }

  @Override
  public void closeAfterSessionExpired() {
    if (socket instanceof SockJSSocketBase base) {
      base.closeAfterSessionExpired();
    } else {
      socket.close();
    }
  }

  @Override
  public SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return socket.localAddress();
  }

  @Override
  public MultiMap headers() {
    return socket.headers();
  }

  @Override
  public String uri() {
    return socket.uri();
  }
}
