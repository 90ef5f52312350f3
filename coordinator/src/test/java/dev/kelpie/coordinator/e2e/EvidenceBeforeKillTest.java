package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.alert.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Evidence before the kill, end to end: the demo service's worker stops kicking its heartbeat while HTTP keeps
 * answering; the agent takes a thread dump (and /proc status, output tail, last kick) before the restart, and the
 * evidence is on the action in the API, on the incident's timeline and in an alert. An operator's dump takes the
 * same without a kill.
 */
class EvidenceBeforeKillTest {

  private static final String AGENT = "host-e";
  private static final String KICK_TOKEN = "demo-kick-token-0123456789";
  private static final String SECRET = "e2e-secret-0123456789";

  private Fleet fleet;
  private WebhookReceiver receiver;
  private int demoPort;

  @BeforeEach
  void start() throws Exception {
    fleet = new Fleet();
    receiver = new WebhookReceiver();
    demoPort = Fleet.freePort();
    int kickPort = Fleet.freePort();
    fleet.store("alerts:\n  receivers: [{name: hook, type: webhook, url: \"" + receiver.url() + "\", secret: "
      + SECRET + "}]\n  group: {window: 100ms}\n");
    fleet.startCoordinator(AGENT);
    String policy = "{failureThreshold: 2, startupGrace: 5s, startupDeadline: 60s, budget: {restarts: 3, per: 1h},"
      + " backoff: {initial: 0s, max: 0s}}";
    fleet.startAgent(AGENT, "services:\n"
      + "  - name: demo\n"
      + "    command: " + fleet.demoCommand(demoPort, "--kick-url", "http://127.0.0.1:" + kickPort + "/kick",
      "--kick-every", "200ms") + "\n"
      + "    env: {DEMO_KICK_TOKEN: " + KICK_TOKEN + "}\n"
      + "    port: " + demoPort + "\n"
      + "    stopGrace: 2s\n"
      + "checks:\n"
      + "  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + demoPort + "/health\","
      + " interval: 500ms, timeout: 1s, policy: " + policy + "}\n"
      + "  - {id: demo-beat, type: heartbeat, service: demo, kickPort: " + kickPort + ", token: " + KICK_TOKEN
      + ", deadline: 8s, interval: 500ms, policy: " + policy + "}\n");
    fleet.await("both checks healthy, the worker kicking", Duration.ofSeconds(60),
      () -> "healthy".equals(fleet.state(AGENT, "demo-beat")) && "healthy".equals(fleet.state(AGENT, "demo-http"))
        && fleet.check(AGENT, "demo-beat").map(c -> c.getJsonObject("lastResult").getString("detail", ""))
        .orElse("").startsWith("last kick"));
  }

  @AfterEach
  void stop() {
    fleet.close();
    receiver.close();
  }

  @Test
  @DisplayName("a service whose heartbeat stops while its HTTP answers is restarted with a thread dump naming the "
    + "stuck thread in the evidence: in the API, on the incident's timeline and in an alert; a dump kills nothing")
  void stalledWorkerRestartedWithEvidence() throws Exception {
    fleet.await("the dump taken on (no other command running)", Duration.ofSeconds(30), () -> fleet.send("POST",
      "/api/agents/" + AGENT + "/services/demo/dump", "{\"reason\":\"just looking\"}").statusCode() == 202);
    long firstPid = fleet.pid(AGENT, "demo");
    JsonObject dump = awaitAction("dump");
    assertThat(dump.getString("status")).isEqualTo("done");
    assertThat(dump.getJsonObject("evidence").getString("threadDump")).contains("\"demo-worker\"");
    assertThat(dump.getJsonObject("evidence").getString("outputTail")).contains("kelpie-demo listening");
    assertThat(fleet.pid(AGENT, "demo")).as("a dump leaves the service running").isEqualTo(firstPid);

    tellDemo("/stall");
    fleet.await("a restart by the heartbeat", Duration.ofSeconds(40), () -> {
      Long pid = fleet.pid(AGENT, "demo");
      return pid != null && pid != firstPid;
    });
    assertThat(fleet.state(AGENT, "demo-http")).as("HTTP kept answering").isNotEqualTo("failing");

    JsonObject restart = awaitAction("restart");
    assertThat(restart.getString("issuedBy")).isEqualTo("demo-beat");
    JsonObject evidence = restart.getJsonObject("evidence");
    assertThat(evidence.getLong("pid")).isEqualTo(firstPid);
    assertThat(evidence.getString("threadDump")).as("the stuck thread, named, where it waits")
      .contains("\"demo-worker\"").contains("DemoService.waitWhileStalled");
    assertThat(evidence.getString("outputTail")).as("its output log's last lines (the end of the dump asked above)")
      .contains("JNI global refs");
    assertThat(evidence.getString("outputSource")).endsWith("demo.log");
    assertThat(evidence.getString("state")).isNotBlank();
    assertThat(evidence.getInteger("threads")).isPositive();
    assertThat(evidence.getInteger("fds")).isPositive();
    assertThat(evidence.getLong("lastKick")).as("the last kick's time").isNotNull();
    assertThat(evidence.getLong("tookMs")).as("within its bound").isLessThanOrEqualTo(3_500);

    JsonObject incident = new JsonObject(fleet.get("/api/incidents?check=demo-beat").body()).getJsonArray("items")
      .getJsonObject(0);
    JsonArray timeline = new JsonObject(fleet.get("/api/incidents/" + incident.getString("id")).body())
      .getJsonArray("timeline");
    fleet.await("the restart's evidence on the incident's timeline", Duration.ofSeconds(10), () ->
      Fleet.stream(new JsonObject(fleet.get("/api/incidents/" + incident.getString("id")).body())
        .getJsonArray("timeline")).anyMatch(m -> m.getJsonObject("evidence") != null
        && m.getJsonObject("evidence").getString("threadDump", "").contains("demo-worker")));
    assertThat(timeline).isNotNull();

    fleet.await("the evidence alert", Duration.ofSeconds(15), () -> alert("action_evidence").isPresent());
    JsonObject details = alert("action_evidence").orElseThrow().getJsonObject("details");
    assertThat(details.getString("commandId")).isEqualTo(restart.getString("commandId"));
    JsonObject attached = details.getJsonObject("dump");
    assertThat(attached.getString("threadDump")).hasSizeLessThanOrEqualTo(2003).startsWith("Full thread dump");
    assertThat(attached.getBoolean("truncated")).isTrue();
    assertThat(attached.getString("url")).isEqualTo("/api/actions?agent=" + AGENT + "&service=demo");
    assertThat(alert("action_taken").orElseThrow().getJsonObject("details").getString("evidenceUrl"))
      .isEqualTo(attached.getString("url"));
  }

  private JsonObject awaitAction(String action) {
    fleet.await("a " + action + " answered with evidence", Duration.ofSeconds(30), () -> action(action)
      .map(a -> a.getJsonObject("evidence") != null).orElse(false));
    return action(action).orElseThrow();
  }

  private Optional<JsonObject> action(String action) {
    JsonObject page = new JsonObject(fleet.get("/api/actions?agent=" + AGENT + "&service=demo").body());
    return Fleet.stream(page.getJsonArray("items")).filter(a -> action.equals(a.getString("action"))).findFirst();
  }

  private Optional<JsonObject> alert(String kind) {
    return receiver.accepted().stream().flatMap(request -> request.json().getJsonArray("alerts").stream())
      .map(JsonObject.class::cast).filter(a -> kind.equals(a.getString("kind"))).findFirst();
  }

  private void tellDemo(String path) throws Exception {
    HttpResponse<String> told = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + demoPort + path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(told.statusCode()).isEqualTo(202);
  }
}
