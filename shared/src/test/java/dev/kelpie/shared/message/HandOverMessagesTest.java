package dev.kelpie.shared.message;

import dev.kelpie.shared.policy.CheckMemory;
import dev.kelpie.shared.policy.CheckPhase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HandOverMessagesTest {

  private static final Instant AT = Instant.ofEpochMilli(1_700_000_000_000L);
  private static final CheckMemory GAVE_UP = new CheckMemory(CheckPhase.GAVE_UP, 3, List.of(AT), 1, AT, null, null,
    null, null, null, "3 failures in a row (threshold 3)");

  @Test
  @DisplayName("hello, its reply and an ack carry the checks' memory both ways, and read as before without it")
  void memoryRoundTrips() {
    AgentHello hello = new AgentHello("a", "h", "1", List.of(), List.of(), Map.of("web", GAVE_UP), 42);
    assertThat(AgentHello.fromJson(new JsonObject(hello.toJson().encode()))).isEqualTo(hello);
    HelloReply reply = new HelloReply(7, 40, Map.of("web", GAVE_UP));
    assertThat(HelloReply.fromJson(new JsonObject(reply.toJson().encode()))).isEqualTo(reply);
    ReportAck ack = new ReportAck(41, Map.of("web", GAVE_UP));
    assertThat(ReportAck.fromJson(new JsonObject(ack.toJson().encode()))).isEqualTo(ack);

    assertThat(new HelloReply(7, 40).toJson().containsKey("memory")).as("nothing new on the wire when empty").isFalse();
    assertThat(AgentHello.fromJson(new AgentHello("a", "h", "1", List.of(), List.of()).toJson()).decidedUpTo()).isZero();
    assertThat(ReportAck.fromJson(new JsonObject().put("ackSeq", 3)).memory()).isEmpty();
  }

  @Test
  @DisplayName("a command result the agent decided alone says so, and reads back the same")
  void localDecision() {
    CommandResult result = new CommandResult("a", 5, "local-1", "demo", Action.RESTART, CommandStatus.DONE,
      "started as pid 9", AT, Duration.ofMillis(80), 9L)
      .decidedLocally(new CommandResult.LocalDecision("demo.process", "1 failures in a row", AT));
    assertThat(Report.fromJson(new JsonObject(result.toJson().encode()))).isEqualTo(result);
    assertThat(((CommandResult) Report.fromJson(result.withSeq(6).toJson())).local()).isEqualTo(result.local());
  }

  @Test
  @DisplayName("a memory that is not one is refused, naming the field")
  void badMemory() {
    assertThatThrownBy(() -> HelloReply.fromJson(new JsonObject().put("epoch", 1).put("lastSeq", 0)
      .put("memory", new JsonObject().put("web", new JsonObject().put("phase", "DOZING")))))
      .isInstanceOf(MessageFormatException.class).hasMessageContaining("memory.web");
  }
}
