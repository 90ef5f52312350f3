package dev.kelpie.agent.uplink;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One WebSocket speaking the Vert.x event-bus bridge protocol (JSON frames of type send, register, ping; rec and err
 * back): requests with a reply, and handlers for the addresses this side registered.
 */
public final class BridgeConnection {

  /** A message the coordinator sent to a registered address; {@code replyAddress} is set when it wants an answer. */
  public record Incoming(String address, Object body, String replyAddress) {
  }

  private static final Logger log = LoggerFactory.getLogger(BridgeConnection.class);

  private final Vertx vertx;
  private final WebSocket socket;
  private final Map<String, Promise<JsonObject>> awaiting = new HashMap<>();
  private final Map<String, Handler<Incoming>> handlers = new HashMap<>();
  private final Handler<Void> onClose;
  private boolean closed;
  private long lastHeardNanos = System.nanoTime();

  public BridgeConnection(Vertx vertx, WebSocket socket, Handler<Void> onClose) {
    this.vertx = vertx;
    this.socket = socket;
    this.onClose = onClose;
    socket.textMessageHandler(this::onFrame);
    socket.binaryMessageHandler(buffer -> onFrame(buffer.toString()));
    socket.pongHandler(pong -> lastHeardNanos = System.nanoTime());
    socket.closeHandler(v -> gone());
    socket.exceptionHandler(e -> log.debug("uplink socket error: {}", e.getMessage()));
  }

  public Future<JsonObject> request(String address, JsonObject body, Duration timeout) {
    if (closed) {
      return Future.failedFuture("connection closed");
    }
    String replyAddress = UUID.randomUUID().toString();
    Promise<JsonObject> reply = Promise.promise();
    awaiting.put(replyAddress, reply);
    long timer = vertx.setTimer(timeout.toMillis(), id -> {
      if (awaiting.remove(replyAddress) != null) {
        reply.tryFail(new ReplyException(ReplyFailure.TIMEOUT, "no reply from " + address + " within " + timeout));
      }
    });
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", replyAddress));
    return reply.future().andThen(done -> vertx.cancelTimer(timer));
  }

  /** A message that wants no reply. */
  public void send(String address, JsonObject body) {
    write(new JsonObject().put("type", "send").put("address", address).put("body", body));
  }

  public void register(String address, Handler<Incoming> handler) {
    handlers.put(address, handler);
    write(new JsonObject().put("type", "register").put("address", address));
  }

  public void reply(String replyAddress, JsonObject body) {
    write(new JsonObject().put("type", "send").put("address", replyAddress).put("body", body));
  }

  /** A bridge ping (keeps the server's side open) and a WebSocket ping (proves the server still answers). */
  public void ping() {
    write(new JsonObject().put("type", "ping"));
    if (!closed) {
      socket.writePing(io.vertx.core.buffer.Buffer.buffer());
    }
  }

  /** How long since the coordinator last sent anything (a frame or a pong). */
  public Duration silence() {
    return Duration.ofNanos(System.nanoTime() - lastHeardNanos);
  }

  public void close() {
    if (!closed) {
      socket.close();
    }
  }

  /**
   * Gives the connection up at once, without waiting for a close handshake that a silent peer will never answer:
   * pending requests fail and the owner is told, then the socket is closed in the background.
   */
  public void abandon() {
    gone();
    socket.close();
  }

  private void gone() {
    if (closed) {
      return;
    }
    closed = true;
    awaiting.values().forEach(p -> p.tryFail("connection closed"));
    awaiting.clear();
    onClose.handle(null);
  }

  private void write(JsonObject frame) {
    if (!closed) {
      socket.writeTextMessage(frame.encode());
    }
  }

  private void onFrame(String text) {
    lastHeardNanos = System.nanoTime();
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      log.warn("uplink ignored a frame that is not JSON: {}", e.getMessage());
      return;
    }
    String address = frame.getString("address");
    Promise<JsonObject> reply = address == null ? null : awaiting.remove(address);
    if (reply != null) {
      completeReply(reply, frame);
      return;
    }
    if ("err".equals(frame.getString("type"))) {
      log.warn("coordinator refused a frame: {}", frame.getValue("body", frame.getValue("message")));
      return;
    }
    Handler<Incoming> handler = address == null ? null : handlers.get(address);
    if (handler != null) {
      handler.handle(new Incoming(address, frame.getValue("body"), frame.getString("replyAddress")));
    }
  }

  private static void completeReply(Promise<JsonObject> reply, JsonObject frame) {
    if (frame.containsKey("failureCode") || "err".equals(frame.getString("type"))) {
      int code = frame.getInteger("failureCode", -1);
      reply.tryFail(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code,
        String.valueOf(frame.getValue("message", frame.getValue("body")))));
    } else if (frame.getValue("body") instanceof JsonObject body) {
      reply.tryComplete(body);
    } else {
      reply.tryFail("reply without a JSON object body: " + frame.encode());
    }
  }
}
