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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket speaking the Vert.x event-bus bridge protocol (JSON frames of type send, register, ping; rec and err
 * back): requests with a reply, and handlers for the addresses this side registered. The requests' timeouts share one
 * timer, so a request answered in time costs no timer of its own.
 */
public final class BridgeConnection {

  /** A message the coordinator sent to a registered address; {@code replyAddress} is set when it wants an answer. */
  public record Incoming(String address, Object body, String replyAddress) {
  }

  /** A request waiting for its reply, until {@code deadlineNanos}. */
  private record Awaiting(Promise<JsonObject> reply, String address, Duration timeout, long deadlineNanos) {
  }

  private static final Logger log = LoggerFactory.getLogger(BridgeConnection.class);
  private static final String PING = "{\"type\":\"ping\"}";

  private final Vertx vertx;
  private final WebSocket socket;
  private final Map<String, Awaiting> awaiting = new HashMap<>();
  private final Map<String, Handler<Incoming>> handlers = new HashMap<>();
  private final Handler<Void> onClose;
  private boolean closed;
  private long lastHeardNanos = System.nanoTime();
  /** The one timer that fails requests past their deadline, armed for the earliest pending one; -1: none armed. */
  private long expiryTimer = -1;
  private long expiryAtNanos;

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
    long deadline = System.nanoTime() + timeout.toNanos();
    awaiting.put(replyAddress, new Awaiting(reply, address, timeout, deadline));
    expireBy(deadline);
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", replyAddress));
    return reply.future();
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
    if (!closed) {
      socket.writeTextMessage(PING);
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
    if (expiryTimer != -1) {
      vertx.cancelTimer(expiryTimer);
      expiryTimer = -1;
    }
    List<Awaiting> failed = new ArrayList<>(awaiting.values());
    awaiting.clear();
    failed.forEach(waiting -> waiting.reply().tryFail("connection closed"));
    onClose.handle(null);
  }

  /**
   * Arms the expiry timer for {@code deadline} unless it is armed for that time or sooner: a request answered in time
   * costs no timer of its own, the armed one fires at most once per timeout and arms itself for what still waits.
   */
  private void expireBy(long deadline) {
    if (expiryTimer != -1) {
      if (expiryAtNanos - deadline <= 0) {
        return;
      }
      vertx.cancelTimer(expiryTimer);
    }
    expiryAtNanos = deadline;
    long delayMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime() + 999_999));
    expiryTimer = vertx.setTimer(delayMillis, id -> expire());
  }

  private void expire() {
    expiryTimer = -1;
    long now = System.nanoTime();
    List<Map.Entry<String, Awaiting>> overdue = new ArrayList<>();
    Long next = null;
    for (Map.Entry<String, Awaiting> entry : awaiting.entrySet()) {
      long deadline = entry.getValue().deadlineNanos();
      if (deadline - now <= 0) {
        overdue.add(entry);
      } else if (next == null || deadline - next < 0) {
        next = deadline;
      }
    }
    overdue.forEach(entry -> awaiting.remove(entry.getKey()));
    if (next != null && !closed) {
      expireBy(next);
    }
    for (Map.Entry<String, Awaiting> entry : overdue) {
      Awaiting waiting = entry.getValue();
      waiting.reply().tryFail(new ReplyException(ReplyFailure.TIMEOUT, "no reply from " + waiting.address()
        + " within " + waiting.timeout()));
    }
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
    Awaiting waiting = address == null ? null : awaiting.remove(address);
    if (waiting != null) {
      completeReply(waiting.reply(), frame);
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
