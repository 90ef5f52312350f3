package dev.kelpie.shared.message;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.rules.AgentMessages;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Vitals riding a report batch: an additive field, read and screened like a keepalive's, absent from older agents. */
class BatchVitalsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ProbeResult RESULT = ProbeResult.up("web-01", "web", T0, Duration.ZERO, "ok").withSeq(1);

  @Test
  @DisplayName("a batch with vitals reads back with them; one without has no vitals field, as from older agents")
  void roundTrip() {
    Keepalive vitals = new Keepalive("web-01", T0, 1 << 20, 0.25, 3, 2);
    ReportBatch with = new ReportBatch("web-01", T0, List.of(RESULT), vitals);
    assertThat(ReportBatch.fromJson(with.toJson())).isEqualTo(with);

    JsonObject without = new ReportBatch("web-01", T0, List.of(RESULT)).toJson();
    assertThat(without.fieldNames()).containsExactlyInAnyOrder("agentId", "sentAt", "reports");
    assertThat(ReportBatch.fromJson(without).vitals()).isNull();
  }

  @Test
  @DisplayName("vitals are screened as a keepalive's, and must be the batch's own agent's")
  void screened() {
    JsonObject negative = new ReportBatch("web-01", T0, List.of(RESULT),
      new Keepalive("web-01", T0, -1, 0.25, 3, 2)).toJson();
    assertThat(AgentMessages.problem(Addresses.AGENT_REPORTS, negative))
      .hasValueSatisfying(problem -> assertThat(problem).contains("vitals.rssBytes"));

    JsonObject another = new ReportBatch("web-01", T0, List.of(RESULT),
      new Keepalive("web-02", T0, 1, 0.25, 3, 2)).toJson();
    assertThat(AgentMessages.problem(Addresses.AGENT_REPORTS, another))
      .hasValueSatisfying(problem -> assertThat(problem).contains("vitals.agentId"));

    JsonObject notAnObject = new ReportBatch("web-01", T0, List.of(RESULT)).toJson().put("vitals", "high");
    assertThat(AgentMessages.problem(Addresses.AGENT_REPORTS, notAnObject))
      .hasValueSatisfying(problem -> assertThat(problem).contains("vitals"));
  }

  @Test
  @DisplayName("a hello's reply says whether the coordinator takes vitals in batches; older replies say no")
  void helloReply() {
    assertThat(HelloReply.fromJson(new HelloReply(1, 5, null, true).toJson()).vitalsInBatches()).isTrue();
    assertThat(HelloReply.fromJson(new JsonObject().put("epoch", 1).put("lastSeq", 5)).vitalsInBatches()).isFalse();
  }
}
