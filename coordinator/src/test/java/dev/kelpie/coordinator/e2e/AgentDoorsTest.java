package dev.kelpie.coordinator.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kelpie.coordinator.gateway.AgentGateway;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an attack run found at the agents' door, each closed: a hello bomb, HTML in ids, a sequence jump, a malformed
 * frame. Each is refused with a reason naming the field, logged, and the connection closed, while a good agent beside
 * it is served throughout. One coordinator for the class; each test knocks as an agent of its own.
 */
class AgentDoorsTest {

  private static final String GOOD = "good-host";
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static Fleet fleet;
  private static final ListAppender<ILoggingEvent> gatewayLog = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    fleet = new Fleet();
    fleet.startCoordinator(GOOD, "bomber", "html", "jumper", "garbler", "talker");
    int port = Fleet.freePort();
    fleet.startAgent(GOOD, "services:\n  - name: demo\n    command: " + fleet.demoCommand(port) + "\n"
      + "checks:\n  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + port + "/health\", "
      + "interval: 500ms}\n");
    fleet.await("the good agent healthy", Duration.ofSeconds(30),
      () -> "healthy".equals(fleet.state(GOOD, "demo-http")));
    gatewayLog.start();
    ((Logger) LoggerFactory.getLogger(AgentGateway.class)).addAppender(gatewayLog);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(AgentGateway.class)).detachAppender(gatewayLog);
    fleet.close();
  }

  @Test
  @DisplayName("a hello of ten checks whose window.of is 40,000,000 is refused naming the field; the heap stays as it was")
  void helloBomb() throws Exception {
    long before = heapAfterGc();
    try (RawBridgeClient bomber = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + "bomber")) {
      PolicySpec d = PolicySpec.defaults();
      PolicySpec bomb = new PolicySpec(d.interval(), d.timeout(), 3, new PolicySpec.Window(3, 40_000_000), 1,
        d.startupGrace(), d.waitForFirstHealthy(), d.startupDeadline(), d.budget(), d.backoff(), true);
      List<CheckSpec> checks = IntStream.range(0, 10)
        .mapToObj(i -> new CheckSpec("c" + i, CheckType.HTTP, null, "GET /", bomb)).toList();
      String reply = bomber.request(Addresses.AGENT_HELLO,
        new AgentHello("bomber", "h", "1", checks, List.of()).toJson());
      JsonObject refusal = bomber.awaitFrame(reply, WAIT);
      assertThat(refusal).as("an answer to the hello").isNotNull();
      assertThat(refusal.getInteger("failureCode")).isEqualTo(400);
      assertThat(refusal.getString("message")).startsWith("checks[0].policy.window.of: must be at most 10000");
      assertThat(bomber.awaitClosed(WAIT)).as("the connection closed").isTrue();
    }
    assertThat(heapAfterGc() - before).as("heap growth in bytes").isLessThan(64L << 20);
    assertThat(fleet.agent("bomber")).isEmpty();
    assertLogged("bomber", "window.of");
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("check and service ids with HTML in them are refused, naming the field")
  void htmlIds() throws Exception {
    try (RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + "html")) {
      CheckSpec check = new CheckSpec("<img src=x onerror=alert(1)>", CheckType.HTTP, null, "GET /",
        PolicySpec.defaults());
      String reply = client.request(Addresses.AGENT_HELLO,
        new AgentHello("html", "h", "1", List.of(check), List.of()).toJson());
      JsonObject refusal = client.awaitFrame(reply, WAIT);
      assertThat(refusal.getString("message"))
        .isEqualTo("checks[0].id: expected 1 to 64 letters, digits, '.', '_' or '-', got \"<img src=x onerror=alert(1)>\"");
      assertThat(client.awaitClosed(WAIT)).isTrue();
    }
    assertThat(fleet.agent("html")).isEmpty();
    assertLogged("html", "checks[0].id");
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("a sequence number of 2^63-1, or two million past the last one taken, is refused and the agent's count kept")
  void sequenceJump() throws Exception {
    Instant now = Instant.now();
    try (RawBridgeClient jumper = helloAs("jumper")) {
      JsonObject ack = jumper.awaitFrame(jumper.request(Addresses.AGENT_REPORTS, batch("jumper", 1, now)), WAIT);
      assertThat(ack.getJsonObject("body").getLong("ackSeq")).isEqualTo(1);
      JsonObject refusal = jumper.awaitFrame(jumper.request(Addresses.AGENT_REPORTS,
        batch("jumper", Long.MAX_VALUE, now)), WAIT);
      assertThat(refusal.getString("message")).startsWith("reports[0].seq: must be between 1 and");
      assertThat(jumper.awaitClosed(WAIT)).isTrue();
    }
    try (RawBridgeClient jumper = helloAs("jumper")) {
      JsonObject refusal = jumper.awaitFrame(jumper.request(Addresses.AGENT_REPORTS,
        batch("jumper", 2_000_001, now)), WAIT);
      assertThat(refusal.getInteger("failureCode")).isEqualTo(400);
      assertThat(refusal.getString("message")).contains("reports[0].seq: jumps 2000000 past the last report taken (1)");
      assertThat(jumper.awaitClosed(WAIT)).as("the policy's refusal closes the connection too").isTrue();
    }
    assertThat(fleet.agent("jumper").orElseThrow().getLong("lastSeq")).isEqualTo(1);
    assertLogged("jumper", "jumps 2000000");
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("a malformed bridge frame is answered with an error frame, the connection closed and logged")
  void malformedFrame() throws Exception {
    for (String frame : List.of("{this is not json", "{\"address\":\"kelpie.agent.hello\"}",
      "{\"type\":\"send\"}", "{\"type\":\"shout\",\"address\":\"x\"}")) {
      try (RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + "garbler")) {
        client.sendRaw(frame);
        JsonObject error = client.awaitFrame(null, WAIT);
        assertThat(error.getString("type")).as(frame).isEqualTo("err");
        assertThat(client.awaitClosed(WAIT)).as(frame + " closes the connection").isTrue();
      }
    }
    assertLogged("garbler", "malformed frame (invalid_json)");
    assertLogged("garbler", "malformed frame (missing_type)");
    assertLogged("garbler", "malformed frame (missing_address)");
    assertLogged("garbler", "malformed frame (invalid_type)");
    assertGoodAgentStillServed();
  }

  @Test
  @DisplayName("an agent whose frames keep coming is not closed for a bridge ping it has not sent yet (5 s timeout)")
  void framesAreAlive() throws Exception {
    Instant now = Instant.now();
    long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
    try (RawBridgeClient talker = helloAs("talker")) {
      for (long seq = 1; System.nanoTime() < until; seq++) {
        JsonObject ack = talker.awaitFrame(talker.request(Addresses.AGENT_REPORTS, batch("talker", seq, now)), WAIT);
        assertThat(ack).as("batch " + seq + " acknowledged").isNotNull();
        assertThat(ack.getJsonObject("body").getLong("ackSeq")).isEqualTo(seq);
        assertThat(talker.awaitClosed(Duration.ofSeconds(1))).as("still open after batch " + seq).isFalse();
      }
      assertThat(fleet.agent("talker").orElseThrow().getBoolean("connected")).isTrue();
    }
  }

  private static RawBridgeClient helloAs(String agentId) throws Exception {
    RawBridgeClient client = RawBridgeClient.connect(fleet.coordinatorPort(), Fleet.TOKEN + agentId);
    JsonObject reply = client.awaitFrame(client.request(Addresses.AGENT_HELLO,
      new AgentHello(agentId, "h", "1", List.of(), List.of()).toJson()), WAIT);
    assertThat(reply.getString("type")).as("hello answered").isEqualTo("rec");
    return client;
  }

  private static JsonObject batch(String agentId, long seq, Instant at) {
    return new ReportBatch(agentId, at, List.of(ProbeResult.up(agentId, "none", at, Duration.ZERO, "").withSeq(seq)))
      .toJson();
  }

  private static void assertLogged(String agentId, String text) {
    fleet.await("the gateway logging " + text + " for " + agentId, WAIT, () -> gatewayLog.list.stream().anyMatch(event ->
      event.getFormattedMessage().startsWith("refused and disconnected") && event.getFormattedMessage().contains(text)
        && event.getKeyValuePairs() != null && event.getKeyValuePairs().stream()
        .anyMatch(pair -> "agent".equals(pair.key) && agentId.equals(pair.value))));
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void assertGoodAgentStillServed() {
    long seq = fleet.agent(GOOD).orElseThrow().getLong("lastSeq");
    fleet.await("the good agent's reports still taken", WAIT,
      () -> fleet.agent(GOOD).orElseThrow().getLong("lastSeq") > seq + 2);
    assertThat(fleet.agent(GOOD).orElseThrow().getBoolean("connected")).isTrue();
    assertThat(fleet.state(GOOD, "demo-http")).isEqualTo("healthy");
  }
}
