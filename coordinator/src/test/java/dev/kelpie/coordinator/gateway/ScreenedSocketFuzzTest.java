package dev.kelpie.coordinator.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's screen of what the bridge writes to an agent: it never throws, whatever the bytes, and only the
 * bridge's own error frames and refusals of the agent's mistakes end a connection.
 */
class ScreenedSocketFuzzTest {

  @Property(tries = 2_000, edgeCases = EdgeCasesMode.FIRST)
  @Label("any bytes: no exception, and no refusal unless it is an error frame")
  void anyBytes(@ForAll @Size(max = 200) byte[] bytes) {
    String why = ScreenedSocket.refusal(Buffer.buffer(bytes));
    if (why != null) {
      assertThat(new String(bytes)).startsWith("{\"type\":\"err\"");
    }
  }

  @Property(tries = 2_000, edgeCases = EdgeCasesMode.FIRST)
  @Label("an error frame's head followed by anything: no exception")
  void errorFrameHeads(@ForAll @Size(max = 200) String tail) {
    ScreenedSocket.refusal(Buffer.buffer("{\"type\":\"err\"" + tail));
  }

  @Example
  @Label("which frames end the connection")
  void frames() {
    assertThat(ScreenedSocket.refusal(new JsonObject().put("type", "err").put("body", "invalid_json").toBuffer()))
      .isEqualTo("malformed frame (invalid_json)");
    assertThat(ScreenedSocket.refusal(new JsonObject().put("type", "err").put("body", "rejected").toBuffer()))
      .as("the gateway's own refusal, logged already").isNull();
    assertThat(ScreenedSocket.refusal(new JsonObject().put("type", "err").put("address", "r").put("failureCode", 400)
      .put("message", "reports[0].seq: jumps").toBuffer())).isEqualTo("reports[0].seq: jumps");
    assertThat(ScreenedSocket.refusal(new JsonObject().put("type", "err").put("address", "r").put("failureCode", 503)
      .put("message", "store behind").toBuffer())).as("not the agent's mistake").isNull();
    assertThat(ScreenedSocket.refusal(new JsonObject().put("type", "rec").put("address", "r").toBuffer())).isNull();
  }
}
