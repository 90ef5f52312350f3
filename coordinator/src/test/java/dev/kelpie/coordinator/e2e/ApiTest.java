package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API as a script and a browser use it, against a real coordinator, agent and demo service: every endpoint,
 * bad parameters, missing and wrong credentials, sessions with CSRF, roles, operator actions recorded with who did
 * them, and the live bridge. Local viewing is off here, so nothing is open without credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTest {

  private static final String AGENT = "api-host";
  private static final String VIEWER_TOKEN = "viewer-test-token";

  private Fleet fleet;

  @BeforeAll
  void start() throws Exception {
    fleet = new Fleet();
    int demoPort = Fleet.freePort();
    fleet.access(Fleet.accessWithUsers(
      "    - {name: viewer-script, role: viewer, tokenSha256: " + Fleet.sha256(VIEWER_TOKEN) + "}\n"));
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "services:\n"
      + "  - name: demo\n"
      + "    command: " + fleet.demoCommand(demoPort) + "\n"
      + "    port: " + demoPort + "\n"
      + "    stopGrace: 2s\n"
      + "checks:\n"
      + "  - id: demo-http\n"
      + "    type: http\n"
      + "    service: demo\n"
      + "    url: http://127.0.0.1:" + demoPort + "/health\n"
      + "    interval: 300ms\n"
      + "    labels: {team: payments}\n"
      + "    policy: {failureThreshold: 3, startupGrace: 1s}\n");
    fleet.await("demo healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
  }

  @AfterAll
  void stop() {
    System.out.println("responses checked against the served OpenAPI document: "
      + new java.util.TreeSet<>(fleet.contract().checked()));
    fleet.close();
  }

  // --- reading -------------------------------------------------------------------------------------------------

  @Test
  void everyReadEndpointAnswersJson() {
    awaitHealthy();
    JsonObject snapshot = json(fleet.get("/api/checks"), 200);
    assertThat(snapshot.getJsonArray("checks").getJsonObject(0).getJsonObject("policy")).isNotNull();
    JsonObject summary = json(fleet.get("/api/checks?view=summary"), 200);
    assertThat(summary.getJsonArray("checks").getJsonObject(0).containsKey("policy")).isFalse();

    assertThat(checkIds(fleet.get("/api/checks?label=team=payments"))).containsExactly("demo-http");
    assertThat(json(fleet.get("/api/checks?label=team=other"), 200).getJsonArray("checks")).isEmpty();
    assertThat(checkIds(fleet.get("/api/checks?state=healthy&q=DEMO-HTTP"))).containsExactly("demo-http");
    assertThat(json(fleet.get("/api/checks?state=gave_up"), 200).getJsonArray("checks")).isEmpty();
    assertThat(json(fleet.get("/api/checks?agent=nobody"), 200).getJsonArray("checks")).isEmpty();

    JsonArray agents = json(fleet.get("/api/agents"), 200).getJsonArray("agents");
    assertThat(agents.getJsonObject(0).getString("agentId")).isEqualTo(AGENT);
    JsonObject agent = json(fleet.get("/api/agents/" + AGENT), 200);
    assertThat(agent.getJsonObject("agent").getJsonArray("services").getJsonObject(0).getString("name"))
      .isEqualTo("demo");
    assertThat(agent.getJsonArray("checks").getJsonObject(0).getString("checkId")).isEqualTo("demo-http");
    JsonObject service = agent.getJsonObject("agent").getJsonArray("services").getJsonObject(0);
    assertThat(java.time.Instant.parse(service.getString("startedAtTime")).toEpochMilli())
      .as("startedAtTime is startedAt (epoch ms, kept) as ISO-8601").isEqualTo(service.getLong("startedAt"));
    assertThat(json(fleet.get("/api/checks/" + AGENT + "/demo-http"), 200).getJsonObject("policy")
      .getInteger("failureThreshold")).isEqualTo(3);

    String from = java.time.Instant.now().minus(Duration.ofMinutes(5)).toString();
    assertThat(json(fleet.get("/api/checks/" + AGENT + "/demo-http/results?limit=2&from=" + from), 200)
      .getJsonArray("items")).hasSize(2);
    assertThat(json(fleet.get("/api/checks/" + AGENT + "/demo-http/transitions"), 200).getJsonArray("items"))
      .isNotEmpty();
    json(fleet.get("/api/incidents?state=open"), 200);
    json(fleet.get("/api/actions?agent=" + AGENT), 200);
    json(fleet.get("/api/alerts/deliveries?state=dead"), 200);

    HttpResponse<String> document = fleet.get("/api/openapi.yaml");
    assertThat(document.statusCode()).isEqualTo(200);
    assertThat(document.body()).startsWith("openapi: 3.1.0").contains("operationId: serviceAction");
  }

  @Test
  void unknownThingsAre404WithTheirName() {
    assertThat(error(fleet.get("/api/agents/nobody"), 404)).contains("no agent 'nobody'");
    assertThat(error(fleet.get("/api/checks/" + AGENT + "/nothing"), 404)).contains("has no check 'nothing'");
    assertThat(error(fleet.get("/api/incidents/no-such-incident"), 404)).contains("no incident");
    assertThat(error(fleet.get("/api/no/such/thing"), 404)).contains("no GET /api/no/such/thing");
    assertThat(error(fleet.send("POST", "/api/agents/nobody/services/demo/restart", null), 404))
      .contains("no agent 'nobody'");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/services/nothing/restart", null), 404))
      .contains("supervises no service 'nothing'");
  }

  @Test
  void badParametersAre400NamingTheParameter() {
    assertThat(error(fleet.get("/api/incidents?limit=5000"), 400)).contains("limit").contains("1000");
    assertThat(error(fleet.get("/api/incidents?limit=ten"), 400)).contains("limit");
    assertThat(error(fleet.get("/api/checks?state=purple"), 400)).contains("state");
    assertThat(error(fleet.get("/api/checks?label=nolabel"), 400)).contains("label");
    assertThat(error(fleet.get("/api/actions?from=yesterday"), 400)).contains("from").contains("ISO-8601");
    assertThat(error(fleet.get("/api/agents/bad%20id"), 400)).contains("agentId");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/services/demo/reboot", null), 400))
      .contains("action");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/silence", "{\"duration\":\"5 years\"}"), 400))
      .contains("duration");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/silence", "{\"duration\":\"40d\"}"), 400))
      .contains("at most 30d");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/silence", "{}"), 400)).contains("duration");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/silence", "{\"duration\":\"1h\",\"x\":1}"), 400))
      .contains("x");
    assertThat(error(fleet.send("POST", "/api/agents/" + AGENT + "/silence", "{not json"), 400)).contains("body");
  }

  // --- credentials ---------------------------------------------------------------------------------------------

  @Test
  void missingOrWrongCredentialsAre401AndViewersCannotAct() throws Exception {
    HttpClient anonymous = HttpClient.newHttpClient();
    assertThat(error(anonymous.send(request("/api/checks").build(), HttpResponse.BodyHandlers.ofString()), 401))
      .contains("log in");
    assertThat(error(anonymous.send(request("/api/checks").header("Authorization", "Bearer wrong").build(),
      HttpResponse.BodyHandlers.ofString()), 401)).contains("not one of access.tokens");
    assertThat(error(anonymous.send(request("/api/checks").header("Authorization", "Basic b2xnYTpvbGdh").build(),
      HttpResponse.BodyHandlers.ofString()), 401)).contains("Bearer");
    assertThat(json(anonymous.send(request("/api/session").build(), HttpResponse.BodyHandlers.ofString()), 200)
      .getString("user")).as("nobody is logged in").isNull();
    // the document stays readable: it is how a script learns the API
    assertThat(anonymous.send(request("/api/openapi.yaml").build(), HttpResponse.BodyHandlers.ofString())
      .statusCode()).isEqualTo(200);

    HttpRequest.Builder viewerRestart = request("/api/agents/" + AGENT + "/services/demo/restart")
      .header("Authorization", "Bearer " + VIEWER_TOKEN).POST(HttpRequest.BodyPublishers.noBody());
    assertThat(error(anonymous.send(viewerRestart.build(), HttpResponse.BodyHandlers.ofString()), 403))
      .contains("'viewer-script' is a viewer");
    assertThat(fleet.contract().check(anonymous.send(request("/api/checks")
      .header("Authorization", "Bearer " + VIEWER_TOKEN).build(), HttpResponse.BodyHandlers.ofString()))
      .statusCode()).isEqualTo(200);
  }

  @Test
  void aSessionNeedsItsCsrfTokenToActAndRecordsWhoActed() throws Exception {
    Browser olga = new Browser();
    assertThat(error(olga.post("/api/session", "{\"username\":\"olga\",\"password\":\"wrong\"}"), 401))
      .contains("wrong user name or password");
    assertThat(error(olga.post("/api/session", "{\"username\":\"nobody\",\"password\":\"x\"}"), 401))
      .contains("wrong user name or password");
    JsonObject me = json(olga.post("/api/session", "{\"username\":\"olga\",\"password\":\"olga-password\"}"), 200);
    assertThat(me.getString("user")).isEqualTo("olga");
    assertThat(me.getString("role")).isEqualTo("operator");
    assertThat(olga.cookie("kelpie.session").getSecure()).isFalse();   // secureCookies: false in this config
    assertThat(olga.cookie("kelpie.session").isHttpOnly()).isTrue();
    assertThat(json(olga.get("/api/session"), 200).getString("user")).isEqualTo("olga");

    String restart = "/api/agents/" + AGENT + "/services/demo/restart";
    assertThat(error(olga.send("POST", restart, "{}", false), 403)).contains("X-XSRF-TOKEN");
    awaitHealthy();
    long before = fleet.pid(AGENT, "demo");
    JsonObject accepted = json(olga.send("POST", restart, "{\"reason\":\"api test\"}", true), 202);
    assertThat(accepted.getString("commandId")).isNotBlank();
    assertThat(error(olga.send("POST", restart, "{}", true), 409)).contains("already running");
    fleet.await("a new pid", Duration.ofSeconds(20), () -> {
      Long now = fleet.pid(AGENT, "demo");
      return now != null && now != before;
    });
    fleet.await("the restart recorded", Duration.ofSeconds(10), () ->
      Fleet.stream(json(fleet.get("/api/actions?agent=" + AGENT), 200).getJsonArray("items"))
        .anyMatch(a -> "olga".equals(a.getString("issuedBy")) && "done".equals(a.getString("status"))
          && a.getString("reason").contains("api test")));

    assertThat(olga.send("DELETE", "/api/session", null, true).statusCode()).isEqualTo(204);
    assertThat(error(olga.get("/api/checks"), 401)).contains("log in");

    Browser victor = new Browser();
    json(victor.post("/api/session", "{\"username\":\"victor\",\"password\":\"victor-password\"}"), 200);
    assertThat(error(victor.send("POST", restart, "{}", true), 403)).contains("'victor' is a viewer");
    awaitHealthy();
  }

  private void awaitHealthy() {
    fleet.await("demo healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
  }

  @Test
  void operatorActionsChangeWhatEveryoneSees() {
    String check = "/api/agents/" + AGENT + "/checks/demo-http";
    assertThat(error(fleet.send("POST", check + "/reset", null), 409)).contains("has not given up");

    JsonObject silenced = json(fleet.send("POST", check + "/silence", "{\"duration\":\"10m\",\"reason\":\"deploy\"}"),
      200);
    assertThat(silenced.getString("silencedUntil")).isNotNull();
    assertThat(checkIds(fleet.get("/api/checks?state=silenced"))).containsExactly("demo-http");
    JsonObject shown = fleet.check(AGENT, "demo-http").orElseThrow();
    assertThat(shown.getString("shown")).as("the state the filter matched").isEqualTo("silenced");
    assertThat(shown.getString("state")).as("the policy's state, as before").isNotEqualTo("silenced");
    json(fleet.send("DELETE", check + "/silence", null), 200);
    assertThat(json(fleet.get("/api/checks?state=silenced"), 200).getJsonArray("checks")).isEmpty();

    json(fleet.send("POST", "/api/agents/" + AGENT + "/silence", "{\"duration\":\"1h\"}"), 200);
    assertThat(json(fleet.get("/api/agents/" + AGENT), 200).getJsonObject("agent").getString("silencedUntil"))
      .isNotNull();
    assertThat(checkIds(fleet.get("/api/checks?state=silenced")))
      .isEqualTo(checkIds(fleet.get("/api/checks?agent=" + AGENT))).contains("demo-http");
    json(fleet.send("DELETE", "/api/agents/" + AGENT + "/silence", null), 200);
    assertThat(json(fleet.get("/api/agents/" + AGENT), 200).getJsonObject("agent").getString("silencedUntil"))
      .isNull();

    JsonArray actions = json(fleet.get("/api/actions?agent=" + AGENT), 200).getJsonArray("items");
    assertThat(Fleet.stream(actions).filter(a -> Fleet.OPERATOR_TOKEN_NAME.equals(a.getString("issuedBy")))
      .map(a -> a.getString("action")).toList()).contains("silence", "unsilence");
  }

  @Test
  void stopAndStartAService() {
    String service = "/api/agents/" + AGENT + "/services/demo/";
    fleet.await("no command running", Duration.ofSeconds(20), () ->
      fleet.send("POST", service + "stop", null).statusCode() == 202);
    fleet.await("demo stopped", Duration.ofSeconds(20), () -> fleet.pid(AGENT, "demo") == null);
    fleet.await("paused", Duration.ofSeconds(10), () -> "paused".equals(fleet.state(AGENT, "demo-http")));
    fleet.await("start accepted", Duration.ofSeconds(20), () ->
      fleet.send("POST", service + "start", null).statusCode() == 202);
    awaitHealthy();
  }

  // --- live --------------------------------------------------------------------------------------------------

  @Test
  void liveChangesReachALoggedInPageAndNobodyElse() throws Exception {
    Browser olga = new Browser();
    json(olga.post("/api/session", "{\"username\":\"olga\",\"password\":\"olga-password\"}"), 200);
    LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket socket = olga.client.newWebSocketBuilder()
      .header("Origin", fleet.baseUrl())
      .buildAsync(URI.create(fleet.baseUrl().replace("http", "ws") + "/live/websocket"), new Collect(frames))
      .get(5, TimeUnit.SECONDS);
    socket.sendText("{\"type\":\"register\",\"address\":\"kelpie.dashboard.changes\"}", true).get();
    // a silence is a visible change: it must arrive without asking
    json(fleet.send("POST", "/api/agents/" + AGENT + "/checks/demo-http/silence", "{\"duration\":\"1m\"}"), 200);
    try {
      String frame;
      do {
        frame = frames.poll(10, TimeUnit.SECONDS);
        assertThat(frame).as("a live change within 10 s").isNotNull();
      } while (!frame.contains("silencedUntil\":\"2"));
      JsonObject message = new JsonObject(frame);
      assertThat(message.getString("address")).isEqualTo("kelpie.dashboard.changes");
      // the bridge is outbound only: a page cannot send into the coordinator's bus
      socket.sendText("{\"type\":\"send\",\"address\":\"kelpie.operator\",\"body\":{}}", true).get();
      String refusal;
      do {
        refusal = frames.poll(5, TimeUnit.SECONDS);
        assertThat(refusal).isNotNull();
      } while (!refusal.contains("\"err\""));
      assertThat(refusal).contains("access_denied");
    } finally {
      socket.abort();
      json(fleet.send("DELETE", "/api/agents/" + AGENT + "/checks/demo-http/silence", null), 200);
    }

    HttpClient anonymous = HttpClient.newHttpClient();
    CompletableFuture<WebSocket> refused = anonymous.newWebSocketBuilder()
      .buildAsync(URI.create(fleet.baseUrl().replace("http", "ws") + "/live/websocket"), new Collect(frames));
    assertThat(refused).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
      .withMessageContaining("401");
    CompletableFuture<WebSocket> foreign = olga.client.newWebSocketBuilder().header("Origin", "http://evil.example")
      .buildAsync(URI.create(fleet.baseUrl().replace("http", "ws") + "/live/websocket"), new Collect(frames));
    assertThat(foreign).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause()
      .withMessageContaining("403");
  }

  // --- helpers -----------------------------------------------------------------------------------------------

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(fleet.baseUrl() + path)).timeout(Duration.ofSeconds(10));
  }

  private List<String> checkIds(HttpResponse<String> response) {
    return Fleet.stream(json(response, 200).getJsonArray("checks")).map(c -> c.getString("checkId")).sorted().toList();
  }

  /** Asserts the status and a JSON body, which must be what the served OpenAPI document says for this request. */
  private JsonObject json(HttpResponse<String> response, int status) {
    fleet.contract().check(response);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    return new JsonObject(response.body());
  }

  /** Asserts an error of the API's one shape, and returns its message. */
  private String error(HttpResponse<String> response, int status) {
    JsonObject body = json(response, status);
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("code")).isNotBlank();
    return body.getString("message");
  }

  /** A client that keeps cookies and sends the XSRF-TOKEN cookie back as a header when asked, like the page. */
  private final class Browser {

    final CookieManager cookies = new CookieManager();
    final HttpClient client = HttpClient.newBuilder().cookieHandler(cookies).build();

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return fleet.contract().check(client.send(request(path).build(), HttpResponse.BodyHandlers.ofString()));
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
      get("/api/openapi.yaml");   // any GET hands out the CSRF cookie
      return send("POST", path, json, true);
    }

    HttpResponse<String> send(String method, String path, String json, boolean withCsrf)
      throws IOException, InterruptedException {
      get("/api/session");   // after a login the token is renewed for the new session
      HttpRequest.Builder builder = request(path).header("content-type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
      if (withCsrf) {
        builder.header("X-XSRF-TOKEN", cookie("XSRF-TOKEN").getValue());
      }
      return fleet.contract().check(client.send(builder.build(), HttpResponse.BodyHandlers.ofString()));
    }

    HttpCookie cookie(String name) {
      List<HttpCookie> all = cookies.getCookieStore().getCookies();
      return all.stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no cookie " + name + " in " + all));
    }
  }

  /** The bridge's frames as text (it writes them as binary WebSocket messages, UTF-8 JSON). */
  private static final class Collect implements WebSocket.Listener {

    private final LinkedBlockingQueue<String> frames;
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();

    Collect(LinkedBlockingQueue<String> frames) {
      this.frames = frames;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      frames.add(data.toString());
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partial.writeBytes(bytes);
      if (last) {
        frames.add(partial.toString(java.nio.charset.StandardCharsets.UTF_8));
        partial.reset();
      }
      webSocket.request(1);
      return null;
    }
  }
}
