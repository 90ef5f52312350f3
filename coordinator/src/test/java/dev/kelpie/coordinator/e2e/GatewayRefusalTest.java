package dev.kelpie.coordinator.e2e;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway refuses what an agent may not do and closes its connection, while a well-behaved agent beside it is
 * served throughout.
 */
class GatewayRefusalTest {

  private static final String GOOD = "good-host";
  private static final String ROGUE = "rogue-host";

  private Fleet fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    fleet.startCoordinator(GOOD, ROGUE);
    int port = Fleet.freePort();
    fleet.startAgent(GOOD, "services:\n  - name: demo\n    command: " + fleet.demoCommand(port) + "\n"
      + "checks:\n  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + port + "/health\", "
      + "interval: 500ms}\n");
    fleet.await("the good agent healthy", Duration.ofSeconds(30),
      () -> "healthy".equals(fleet.state(GOOD, "demo-http")));
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("a connection without a token, or with an unknown one, is closed")
  void unauthenticated() throws Exception {
    assertThat(connect(null).closed.get(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(connect("not-a-token").closed.get(5, TimeUnit.SECONDS)).isNotNull();
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("a frame that is not JSON is refused and closes the connection, and so does one over the size limit")
  void malformedAndOversized() throws Exception {
    Client garbled = connect(Fleet.TOKEN + ROGUE);
    garbled.socket.sendText("{this is not json", true).get(5, TimeUnit.SECONDS);
    JsonObject error = new JsonObject(garbled.frames.poll(5, TimeUnit.SECONDS));
    assertThat(error.getString("type")).isEqualTo("err");
    assertThat(garbled.closed.get(5, TimeUnit.SECONDS)).isNotNull();

    Client client = connect(Fleet.TOKEN + ROGUE);

    client.socket.sendText("{\"type\":\"send\",\"address\":\"" + Addresses.AGENT_REPORTS + "\",\"body\":\""
      + "x".repeat(200_000) + "\"}", true);
    assertThat(client.closed.get(5, TimeUnit.SECONDS)).isNotNull();
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("a well-formed frame carrying a malformed message is answered with an error naming the field, and closed")
  void malformedMessage() throws Exception {
    Client client = connect(Fleet.TOKEN + ROGUE);
    JsonObject hello = new JsonObject().put("agentId", ROGUE).put("host", "x").put("version", "x")
      .put("checks", new JsonArray().add(new JsonObject().put("id", "c").put("type", "smoke signal!")))
      .put("services", new JsonArray());
    String replyAddress = "11111111-1111-1111-1111-111111111111";
    client.socket.sendText(new JsonObject().put("type", "send").put("address", Addresses.AGENT_HELLO)
      .put("body", hello).put("replyAddress", replyAddress).encode(), true);
    JsonObject reply = new JsonObject(client.frames.poll(5, TimeUnit.SECONDS));
    assertThat(reply.getString("address")).isEqualTo(replyAddress);
    assertThat(reply.getInteger("failureCode")).isEqualTo(400);
    assertThat(reply.getString("message")).contains("checks[0].type: expected a type name")
      .contains("got 'smoke signal!'");
    assertThat(client.closed.get(5, TimeUnit.SECONDS)).isNotNull();
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("an agent registering another agent's command address is refused and disconnected")
  void foreignCommandAddress() throws Exception {
    Client client = connect(Fleet.TOKEN + ROGUE);
    client.socket.sendText(new JsonObject().put("type", "register").put("address", Addresses.agentCommands(GOOD))
      .encode(), true);
    assertThat(client.closed.get(5, TimeUnit.SECONDS)).isNotNull();
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("an agent sending as another agent is refused and disconnected")
  void impersonation() throws Exception {
    Client client = connect(Fleet.TOKEN + ROGUE);
    JsonObject hello = new JsonObject().put("agentId", GOOD).put("host", "x").put("version", "x")
      .put("checks", new JsonArray()).put("services", new JsonArray());
    client.socket.sendText(new JsonObject().put("type", "send").put("address", Addresses.AGENT_HELLO)
      .put("body", hello).put("replyAddress", "00000000-0000-0000-0000-000000000000").encode(), true);
    assertThat(client.closed.get(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(fleet.agent(GOOD).orElseThrow().getString("host")).isEqualTo("host-of-" + GOOD);
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("a report batch or a keepalive sent as another agent is refused and disconnected, the batch not taken")
  void impersonationInTheUsualFrames() throws Exception {
    long forgedSeq = fleet.agent(GOOD).orElseThrow().getLong("lastSeq") + 1_000;
    ReportBatch batch = new ReportBatch(GOOD, Instant.now(), List.of(new ProbeResult(GOOD, forgedSeq, "demo-http",
      Instant.now(), Outcome.DOWN, Duration.ofMillis(1), "forged")));
    Keepalive keepalive = new Keepalive(GOOD, Instant.now(), 1 << 20, 0.5, 0, 0);
    for (JsonObject frame : List.of(
      new JsonObject().put("type", "send").put("address", Addresses.AGENT_REPORTS).put("body", batch.toJson())
        .put("replyAddress", "00000000-0000-0000-0000-000000000001"),
      new JsonObject().put("type", "send").put("address", Addresses.AGENT_KEEPALIVE).put("body", keepalive.toJson()))) {
      Client client = connect(Fleet.TOKEN + ROGUE);
      client.socket.sendText(frame.encode(), true);
      assertThat(client.closed.get(5, TimeUnit.SECONDS)).as(frame.getString("address")).isNotNull();
    }
    assertThat(fleet.agent(GOOD).orElseThrow().getLong("lastSeq")).isLessThan(forgedSeq);
    assertGoodAgentStillServed();
  }

  private void assertGoodAgentStillServed() {
    long seq = fleet.agent(GOOD).orElseThrow().getLong("lastSeq");
    fleet.await("the good agent's reports still taken", Duration.ofSeconds(10),
      () -> fleet.agent(GOOD).orElseThrow().getLong("lastSeq") > seq + 2);
    assertThat(fleet.agent(GOOD).orElseThrow().getBoolean("connected")).isTrue();
    assertThat(fleet.state(GOOD, "demo-http")).isEqualTo("healthy");
  }

  /** A raw WebSocket to the bridge, recording frames and the close. */
  private static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final StringBuilder partial = new StringBuilder();
    WebSocket socket;

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
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
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
  }

  private Client connect(String token) throws Exception {
    Client client = new Client();
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    try {
      client.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + fleet.coordinatorPort() + "/bus/websocket"),
        client).get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException refusedAtHandshake) {
      client.closed.complete(-1);
    }
    return client;
  }

}
