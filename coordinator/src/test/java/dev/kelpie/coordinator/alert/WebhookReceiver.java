package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.config.WebhookSecret;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;

/**
 * A real webhook receiver for tests: an HTTP server on a fixed loopback port that records every request and answers
 * the statuses queued by the test (then 200). It can be stopped and started again on the same port, like a
 * receiver that is down for a while. It checks signatures the way the README tells receivers to.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as received. */
  public record Received(String id, String idempotencyKey, long timestamp, String signature, String body, int answered) {

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final int port;
  private final List<Received> received = new ArrayList<>();
  private final Deque<Integer> statuses = new ArrayDeque<>();
  private HttpServer server;

  public WebhookReceiver() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    start();
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/hook";
  }

  synchronized void answer(int status, int times) {
    for (int i = 0; i < times; i++) {
      statuses.add(status);
    }
  }

  synchronized void clearAnswers() {
    statuses.clear();
  }

  void start() {
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      int status;
      synchronized (this) {
        status = statuses.isEmpty() ? 200 : statuses.poll();
        received.add(new Received(request.getHeader("webhook-id"), request.getHeader("idempotency-key"),
          Long.parseLong(request.getHeader("webhook-timestamp")), request.getHeader("webhook-signature"),
          body.toString(), status));
      }
      request.response().setStatusCode(status).end(status == 200 ? "ok" : "try later");
    })).listen(port, "127.0.0.1").await();
  }

  void stop() {
    server.close().await();
  }

  synchronized List<Received> all() {
    return List.copyOf(received);
  }

  /** The requests answered 2xx, in arrival order. */
  public synchronized List<Received> accepted() {
    return received.stream().filter(r -> r.answered() / 100 == 2).toList();
  }

  /**
   * Verifies a request as a receiver should: HMAC-SHA256 with the secret's key (whsec_ decoded, else raw) over
   * "id.timestamp.body", compared in constant time.
   */
  public static boolean verify(Received request, String secret) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(WebhookSecret.key(secret), "HmacSHA256"));
    byte[] expected = mac.doFinal((request.id() + "." + request.timestamp() + "." + request.body())
      .getBytes(StandardCharsets.UTF_8));
    String given = request.signature().substring(request.signature().indexOf(',') + 1);
    return request.signature().startsWith("v1,")
      && MessageDigest.isEqual(expected, Base64.getDecoder().decode(given))
      && Math.abs(System.currentTimeMillis() / 1000 - request.timestamp()) < 300;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
