package dev.kelpie.coordinator.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.ProtocolUpgradeHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.vertx.ext.web.handler.sockjs.impl.SockJSSocketBase;

/**
 * An agent's raw WebSocket ({@code /bus/websocket}) as the bridge's socket, as vertx-web's raw WebSocket transport
 * makes it, except that each message reaches the bridge as the bytes that came: that transport reads a text message
 * into a String and hands it on written back into bytes, so every report batch was copied and converted four times
 * before the gateway read it ({@link AgentFrame}). A message in several frames is put together up to
 * {@code maxMessageBytes}; past that, as the transport, the socket fails with an exception (which closes it).
 */
public final class AgentWebSocket extends SockJSSocketBase {

  private final ServerWebSocket ws;
  private final int maxMessageBytes;
  private MultiMap headers;
  private Handler<Throwable> exceptionHandler;
  private Buffer partial;
  private boolean closed;

  private AgentWebSocket(Vertx vertx, RoutingContext upgrade, ServerWebSocket ws, int maxMessageBytes) {
    super(vertx, upgrade, new SockJSHandlerOptions().setRegisterWriteHandler(false));
    this.ws = ws;
    this.maxMessageBytes = maxMessageBytes;
    ws.closeHandler(v -> closed = true);
  }

  /** The upgrade of a GET to the agents' WebSocket path, as the raw WebSocket transport answers it. */
  public static ProtocolUpgradeHandler upgrading(Vertx vertx, int maxMessageBytes, Handler<SockJSSocket> sockets) {
    return ctx -> {
      if (!ctx.request().canUpgradeToWebSocket()) {
        ctx.response().setStatusCode(400).end("Can \"Upgrade\" only to \"WebSocket\".");
        return;
      }
      ctx.request().toWebSocket().onFailure(ctx::fail)
        .onSuccess(ws -> sockets.handle(new AgentWebSocket(vertx, ctx, ws, maxMessageBytes)));
    };
  }

  @Override
  public SockJSSocket handler(Handler<Buffer> handler) {
    partial = null;
    ws.frameHandler(handler == null ? null : frame -> message(frame, handler));
    return this;
  }

  /** Text and binary messages alike go on as bytes, once whole. */
  private void message(WebSocketFrame frame, Handler<Buffer> handler) {
    if (!frame.isText() && !frame.isBinary() && !(frame.isContinuation() && partial != null)) {
      return;
    }
    Buffer data = frame.binaryData();
    if (partial == null && frame.isFinal()) {
      handler.handle(data);
      return;
    }
    partial = partial == null ? data : partial.appendBuffer(data);
    if (partial.length() > maxMessageBytes) {
      int before = partial.length() - data.length();
      partial = null;
      if (exceptionHandler != null) {
        exceptionHandler.handle(new IllegalStateException("Size of WebSocket message (" + (before + data.length())
          + ") exceeds the maximum " + maxMessageBytes));
      }
      return;
    }
    if (frame.isFinal()) {
      Buffer whole = partial;
      partial = null;
      handler.handle(whole);
    }
  }

  @Override
  public SockJSSocket exceptionHandler(Handler<Throwable> handler) {
    exceptionHandler = handler;
    ws.exceptionHandler(handler);
    return this;
  }

  @Override
  public SockJSSocket pause() {
    ws.pause();
    return this;
  }

  @Override
  public SockJSSocket resume() {
    ws.resume();
    return this;
  }

  @Override
  public SockJSSocket fetch(long amount) {
    ws.fetch(amount);
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    return closed ? Future.succeededFuture() : ws.writeBinaryMessage(data);
  }

  @Override
  public Future<Void> write(String data) {
    return closed ? Future.succeededFuture() : ws.writeTextMessage(data);
  }

  @Override
  public SockJSSocket setWriteQueueMaxSize(int maxSize) {
    ws.setWriteQueueMaxSize(maxSize);
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  public SockJSSocket drainHandler(Handler<Void> handler) {
    ws.drainHandler(handler);
    return this;
  }

  @Override
  public SockJSSocket endHandler(Handler<Void> handler) {
    ws.endHandler(handler);
    return this;
  }

  @Override
  public SockJSSocket closeHandler(Handler<Void> handler) {
    ws.closeHandler(v -> {
      closed = true;
      if (handler != null) {
        handler.handle(v);
      }
    });
    return this;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      super.close();
      ws.close();
    }
  }

  @Override
  public void close(int statusCode, String reason) {
    if (!closed) {
      closed = true;
      super.close();
      ws.close((short) statusCode, reason);
    }
  }

  @Override
  public void closeAfterSessionExpired() {
    close(1001, "Session expired");
  }

  @Override
  public SocketAddress remoteAddress() {
    return ws.remoteAddress();
  }

  @Override
  public SocketAddress localAddress() {
    return ws.localAddress();
  }

  /** The upgrade's headers without its cookies, as the transport gives them. */
  @Override
  public MultiMap headers() {
    if (headers == null) {
      headers = MultiMap.caseInsensitiveMultiMap().addAll(ws.headers()).remove(HttpHeaders.COOKIE);
    }
    return headers;
  }

  @Override
  public String uri() {
    return ws.uri();
  }
}
