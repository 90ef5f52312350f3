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
import java.util.function.Consumer;

/**
 * An agent's bridge socket, watched on its way out. The bridge answers a frame it cannot read (not JSON, no type, no
 * address, an unknown type) with an error frame and nothing else, and answers a message the coordinator refused as
 * the agent's own mistake (failure code {@value #REFUSED}) with the failure: both are written here, so this is where
 * they are seen and told to the gateway, which logs them and closes the connection. Everything else passes through.
 * It extends the bridge's socket base because the bridge's idle check expects one.
 */
final class ScreenedSocket extends SockJSSocketBase {

  /** The failure code of a message refused as the agent's own mistake; PolicyVerticle.MALFORMED has the same. */
  static final int REFUSED = 400;

  private static final byte[] ERROR_FRAME = "{\"type\":\"err\"".getBytes(StandardCharsets.US_ASCII);
  private static final String OWN_REFUSAL = "rejected";

  private final SockJSSocket socket;
  private final Consumer<String> onRefused;

  /** @param onRefused told why, once per error frame that costs the agent its connection */
  ScreenedSocket(Vertx vertx, SockJSSocket socket, Consumer<String> onRefused) {
    super(vertx, socket.routingContext(), new SockJSHandlerOptions().setRegisterWriteHandler(false));
    this.socket = socket;
    this.onRefused = onRefused;
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

  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    socket.handler(handler);
    return this;
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
