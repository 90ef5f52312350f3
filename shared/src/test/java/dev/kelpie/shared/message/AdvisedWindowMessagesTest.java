package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The coordinator's advised batch window rides its hello reply and acknowledgements as one optional field, added so
 * that either side may be older: absent reads as no advice, and nothing is written when there is none.
 */
class AdvisedWindowMessagesTest {

  @Test
  @DisplayName("a hello reply and an acknowledgement carry the advised window, and read it back")
  void adviceRoundTrips() {
    HelloReply reply = new HelloReply(7, 40, Map.of(), true, 1500);
    assertThat(reply.toJson().getLong("batchWindowMs")).isEqualTo(1500L);
    assertThat(HelloReply.fromJson(new JsonObject(reply.toJson().encode()))).isEqualTo(reply);

    ReportAck taken = ReportAck.taken(41, 42, Map.of()).advising(2000);
    assertThat(taken.toJson().getLong("batchWindowMs")).isEqualTo(2000L);
    assertThat(ReportAck.fromJson(new JsonObject(taken.toJson().encode()))).isEqualTo(taken);
    ReportAck later = ReportAck.later(41, 1000).advising(3000);
    assertThat(ReportAck.fromJson(new JsonObject(later.toJson().encode())).batchWindowMs()).isEqualTo(3000L);
  }

  @Test
  @DisplayName("no advice writes nothing new on the wire, and an older coordinator's answers read as no advice")
  void noAdviceIsAbsent() {
    assertThat(new HelloReply(7, 40, Map.of(), true, 0).toJson().containsKey("batchWindowMs")).isFalse();
    assertThat(ReportAck.taken(41, 42, Map.of()).advising(0).toJson().containsKey("batchWindowMs")).isFalse();

    assertThat(HelloReply.fromJson(new JsonObject().put("epoch", 7).put("lastSeq", 40)).batchWindowMs()).isZero();
    assertThat(ReportAck.fromJson(new JsonObject().put("ackSeq", 41).put("takenSeq", 42)).batchWindowMs()).isNull();
  }

  @Test
  @DisplayName("an agent reads answers carrying fields it does not know (a newer coordinator's) as if they were not there")
  void unknownFieldsAreIgnored() {
    JsonObject newer = new JsonObject().put("ackSeq", 41).put("takenSeq", 42).put("batchWindowMs", 1000)
      .put("somethingLater", new JsonObject().put("x", 1));
    assertThat(ReportAck.fromJson(newer)).isEqualTo(ReportAck.taken(41, 42, Map.of()).advising(1000));
    assertThat(HelloReply.fromJson(new JsonObject().put("epoch", 7).put("lastSeq", 40).put("somethingLater", "x")))
      .isEqualTo(new HelloReply(7, 40));
  }

  @Test
  @DisplayName("an advice that is not a number is a malformed answer, named by its field")
  void malformedAdvice() {
    assertThatThrownBy(() -> ReportAck.fromJson(new JsonObject().put("ackSeq", 41).put("batchWindowMs", "soon")))
      .isInstanceOf(MessageFormatException.class).hasMessageContaining("batchWindowMs");
  }
}
