package dev.kelpie.coordinator.e2e;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.bus.AgentCodecs;
import dev.kelpie.shared.bus.RecordCodec;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import dev.kelpie.shared.rules.AgentMessages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each agent frame is read once: the gateway reads and judges it into its record, and that record, not JSON, is what
 * the policy gets; a frame it refuses is refused with the same words as before.
 */
class ParseOnceTest {

  private static final String AGENT = "parse-once-host";

  private Fleet fleet;
  private final List<Object> delivered = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    fleet.startCoordinator(vertx -> vertx.eventBus().addInboundInterceptor(delivery -> {
      String address = delivery.message().address();
      if (Addresses.AGENT_HELLO.equals(address) || Addresses.AGENT_REPORTS.equals(address)) {
        delivered.add(delivery.message().body());
      }
      delivery.next();
    }), AGENT);
  }

  @AfterEach
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("a hello and a report batch from the bridge reach the policy as records, and are answered")
  void recordsReachThePolicy() throws Exception {
    try (RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + AGENT)) {
      String helloReply = client.request(Addresses.AGENT_HELLO, hello().toJson());
      JsonObject reply = client.awaitFrame(helloReply, Duration.ofSeconds(10));
      assertThat(reply).isNotNull();
      assertThat(reply.getString("type")).isEqualTo("rec");
      ReportBatch batch = new ReportBatch(AGENT, Instant.now(), List.of(new ProbeResult(AGENT, 1, "c1", Instant.now(),
        Outcome.UP, Duration.ofMillis(3), "ok")));
      String ackAddress = client.request(Addresses.AGENT_REPORTS, batch.toJson());
      JsonObject ack = client.awaitFrame(ackAddress, Duration.ofSeconds(10));
      assertThat(ack).isNotNull();
      assertThat(ack.getJsonObject("body").getLong("ackSeq")).isEqualTo(1L);
    }
    assertThat(delivered).hasSize(2);
    assertThat(delivered.get(0)).isInstanceOf(AgentHello.class);
    assertThat(delivered.get(1)).isInstanceOfSatisfying(ReportBatch.class, batch -> {
      assertThat(batch.agentId()).isEqualTo(AGENT);
      assertThat(batch.reports()).singleElement().isInstanceOf(ProbeResult.class);
    });
  }

  @Test
  @DisplayName("a report batch sent in several WebSocket frames, or as a binary message, is read whole and answered")
  void messagesInPartsOrBinary() throws Exception {
    try (RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + AGENT)) {
      JsonObject reply = client.awaitFrame(client.request(Addresses.AGENT_HELLO, hello().toJson()),
        Duration.ofSeconds(10));
      assertThat(reply).isNotNull();
      for (int seq = 1; seq <= 2; seq++) {
        ReportBatch batch = new ReportBatch(AGENT, Instant.now(), List.of(new ProbeResult(AGENT, seq, "c1",
          Instant.now(), Outcome.UP, Duration.ofMillis(3), "ok")));
        String replyAddress = "reply-" + seq;
        String frame = new JsonObject().put("type", "send").put("address", Addresses.AGENT_REPORTS)
          .put("body", batch.toJson()).put("replyAddress", replyAddress).encode();
        assertThat(client.sendSplit(frame, 3, seq == 2)).isTrue();
        JsonObject ack = client.awaitFrame(replyAddress, Duration.ofSeconds(10));
        assertThat(ack).isNotNull();
        assertThat(ack.getJsonObject("body").getLong("takenSeq")).isEqualTo(seq);
      }
    }
    assertThat(delivered).filteredOn(ReportBatch.class::isInstance).hasSize(2);
  }

  @Test
  @DisplayName("a refused report names the field with the words of AgentMessages.problem, and closes the connection")
  void refusalWordsUnchanged() throws Exception {
    JsonObject bad = new ReportBatch(AGENT, Instant.now(), List.of(new ProbeResult(AGENT, 1, "c1", Instant.now(),
      Outcome.UP, Duration.ofMillis(-5), "ok"))).toJson();
    String expected = AgentMessages.problem(Addresses.AGENT_REPORTS, bad).orElseThrow();
    assertThat(expected).startsWith("reports[0].latencyMs: must be between 0 and");
    try (RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + AGENT)) {
      client.request(Addresses.AGENT_HELLO, hello().toJson());
      String replyAddress = client.request(Addresses.AGENT_REPORTS, bad);
      JsonObject refusal = client.awaitFrame(replyAddress, Duration.ofSeconds(10));
      assertThat(refusal).isNotNull();
      assertThat(refusal.getString("type")).isEqualTo("err");
      assertThat(refusal.getInteger("failureCode")).isEqualTo(400);
      assertThat(refusal.getString("message")).isEqualTo(expected);
      assertThat(client.awaitClosed(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(delivered).noneMatch(ReportBatch.class::isInstance);
  }

  @Test
  @DisplayName("on the event bus a record is delivered as the same instance, and crosses the wire as its JSON form")
  void codec() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AgentCodecs.registerOn(vertx.eventBus());
      AgentCodecs.registerOn(vertx.eventBus());
      ReportBatch batch = new ReportBatch(AGENT, Instant.ofEpochMilli(1_000), List.of(new ProbeResult(AGENT, 7, "c1",
        Instant.ofEpochMilli(900), Outcome.DOWN, Duration.ofMillis(12), "refused")));
      CompletableFuture<Object> received = new CompletableFuture<>();
      vertx.eventBus().consumer("parse-once.test", message -> received.complete(message.body()));
      vertx.eventBus().send("parse-once.test", batch);
      assertThat(received.get(10, TimeUnit.SECONDS)).isSameAs(batch);

      MessageCodec<ReportBatch, ReportBatch> codec = new RecordCodec<>(ReportBatch.class, ReportBatch::toJson,
        ReportBatch::fromJson);
      Buffer wire = Buffer.buffer().appendString("xx");
      codec.encodeToWire(wire, batch);
      assertThat(codec.decodeFromWire(2, wire)).isEqualTo(batch);
    } finally {
      vertx.close().await();
    }
  }

  private static AgentHello hello() {
    return new AgentHello(AGENT, "host-" + AGENT, "test",
      List.of(new CheckSpec("c1", CheckType.HTTP, null, "http://127.0.0.1:1/", PolicySpec.defaults())), List.of());
  }
}
