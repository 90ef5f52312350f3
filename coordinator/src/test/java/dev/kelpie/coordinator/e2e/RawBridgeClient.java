package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An agent that speaks the bridge by hand, to send what a real agent never would; records frames and the close. */
final class RawBridgeClient implements WebSocket.Listener, AutoCloseable {

  final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  static RawBridgeClient connect(int port, String token) throws Exception {
    RawBridgeClient client = new RawBridgeClient();
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
      .header("Authorization", "Bearer " + token);
    try {
      client.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/bus/websocket"), client)
        .get(10, TimeUnit.SECONDS);
    } catch (ExecutionException refusedAtHandshake) {
      client.closed.complete(-1);
    }
    return client;
  }

  /** Sends a frame as it is; false when the connection is already gone. */
  boolean sendRaw(String frame) {
    if (socket == null || closed.isDone()) {
      return false;
    }
    try {
      socket.sendText(frame, true).get(10, TimeUnit.SECONDS);
      return true;
    } catch (Exception gone) {
      return false;
    }
  }

  /** Sends a frame as a text message in {@code parts} WebSocket frames, or ({@code binary}) as one binary message. */
  boolean sendSplit(String frame, int parts, boolean binary) {
    if (socket == null || closed.isDone()) {
      return false;
    }
    try {
      if (binary) {
        socket.sendBinary(ByteBuffer.wrap(frame.getBytes(java.nio.charset.StandardCharsets.UTF_8)), true)
          .get(10, TimeUnit.SECONDS);
        return true;
      }
      int step = (frame.length() + parts - 1) / parts;
      for (int from = 0; from < frame.length(); from += step) {
        int to = Math.min(frame.length(), from + step);
        socket.sendText(frame.substring(from, to), to == frame.length()).get(10, TimeUnit.SECONDS);
      }
      return true;
    } catch (Exception gone) {
      return false;
    }
  }

  /** Sends {@code body} to {@code address} expecting a reply; returns the reply address. */
  String request(String address, JsonObject body) {
    String replyAddress = UUID.randomUUID().toString();
    sendRaw(new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", replyAddress).encode());
    return replyAddress;
  }

  /** The next frame sent to {@code address}, or null within the time. */
  JsonObject awaitFrame(String address, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      String frame = frames.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
      if (frame != null) {
        JsonObject json = new JsonObject(frame);
        if (address == null || address.equals(json.getString("address"))) {
          return json;
        }
      }
    }
    return null;
  }

  boolean awaitClosed(Duration within) {
    try {
      closed.get(within.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception notYet) {
      return false;
    }
  }

  void keepalivePing() {
    sendRaw(new JsonObject().put("type", "ping").encode());
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      frames.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return onText(webSocket, new String(bytes), last);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(-1);
  }

  @Override
  public void close() {
    if (socket != null && !closed.isDone()) {
      socket.abort();
    }
  }
}
