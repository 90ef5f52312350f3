package dev.kelpie.coordinator.gateway;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frames agents send most are read once: the bridge gets the envelope it routes by, the gateway the record; any
 * other frame goes to the bridge as it came.
 */
class AgentFrameTest {

  private static final String REPLY = "5f0c1d8e-7a43-4c1b-9d5e-0a6b2e3f4c51";
  private static final ReportBatch BATCH = new ReportBatch("a", Instant.ofEpochMilli(1_000), List.of(
    new ProbeResult("a", 7, "c1", Instant.ofEpochMilli(900), Outcome.DOWN, Duration.ofMillis(12), "refused \"x\"")),
    new Keepalive("a", Instant.ofEpochMilli(950), 1 << 20, 0.25, 3, 1));

  @Test
  @DisplayName("an agent's report batch: the bridge gets type, address and reply address, the gateway the batch")
  void reportBatch() {
    AgentFrame frame = AgentFrame.read(agentFrame(Addresses.AGENT_REPORTS, BATCH.toJson()));
    assertThat(frame).isNotNull();
    assertThat(frame.message()).isEqualTo(BATCH);
    assertThat(new JsonObject(frame.envelope())).isEqualTo(new JsonObject().put("type", "send")
      .put("address", Addresses.AGENT_REPORTS).put("replyAddress", REPLY));
  }

  @Test
  @DisplayName("an agent's keepalive, which asks for no reply")
  void keepalive() {
    Keepalive keepalive = new Keepalive("a", Instant.ofEpochMilli(950), 1 << 20, 0.25, 3, 1);
    AgentFrame frame = AgentFrame.read(Buffer.buffer(new JsonObject().put("type", "send")
      .put("address", Addresses.AGENT_KEEPALIVE).put("body", keepalive.toJson()).encode()));
    assertThat(frame).isNotNull();
    assertThat(frame.message()).isEqualTo(keepalive);
    assertThat(new JsonObject(frame.envelope())).isEqualTo(new JsonObject().put("type", "send")
      .put("address", Addresses.AGENT_KEEPALIVE));
  }

  @Test
  @DisplayName("anything else goes to the bridge as it came")
  void othersAsTheyCame() {
    JsonObject usual = new JsonObject().put("type", "send").put("address", Addresses.AGENT_REPORTS)
      .put("body", BATCH.toJson()).put("replyAddress", REPLY);
    List<String> others = List.of(
      usual.copy().put("type", "publish").encode(),
      usual.copy().put("headers", new JsonObject().put("h", "v")).encode(),
      usual.copy().put("address", Addresses.AGENT_HELLO).encode(),
      usual.copy().put("address", "kelpie.elsewhere").encode(),
      usual.copy().put("replyAddress", "a\"b").encode(),
      usual.copy().put("replyAddress", 5).encode(),
      usual.copy().put("body", BATCH.toJson().put("sentAt", "soon")).encode(),
      "{\"type\":\"send\",\"body\":" + BATCH.toJson().encode() + ",\"address\":\"" + Addresses.AGENT_REPORTS + "\"}",
      usual.encode() + " {}",
      usual.encode().substring(0, 60),
      "{\"type\":\"ping\"}",
      "[]",
      "");
    for (String other : others) {
      assertThat(AgentFrame.read(Buffer.buffer(other))).as(other).isNull();
    }
  }

  private static Buffer agentFrame(String address, JsonObject body) {
    return Buffer.buffer(new JsonObject().put("type", "send").put("address", address).put("body", body)
      .put("replyAddress", REPLY).encode());
  }
}
