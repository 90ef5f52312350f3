package dev.kelpie.coordinator.e2e;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet rules with a real agent, real demo services and a real HTTP "database": an app whose check depends on the
 * database is not restarted while the database is down, and a check in shadow mode records what it would have done
 * to a hung service without touching it.
 */
class FleetRulesE2eTest {

  private static final String AGENT = "host-r";

  private final Fleet fleet = newFleet();
  private final AtomicBoolean dbUp = new AtomicBoolean(true);
  private HttpServer database;
  private Long stoppedPid;

  private static Fleet newFleet() {
    try {
      return new Fleet();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (stoppedPid != null && Fleet.alive(stoppedPid)) {
      Fleet.signal(stoppedPid, "CONT");
    }
    fleet.close();
    if (database != null) {
      database.stop(0);
    }
  }

  @Test
  @DisplayName("dependsOn: the database down, the app's failures are 'blocked by db' and it is not restarted; the"
    + " database back, all healthy; a hung service in shadow mode gets a recorded 'would have restarted', no kill")
  void dependencyAndShadow() throws Exception {
    database = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    database.createContext("/", exchange -> {
      exchange.sendResponseHeaders(dbUp.get() ? 200 : 503, -1);
      exchange.close();
    });
    database.start();
    int appPort = Fleet.freePort();
    int workerPort = Fleet.freePort();
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "services:\n"
      + "  - {name: app, command: " + fleet.demoCommand(appPort) + ", stopGrace: 1s}\n"
      + "  - {name: worker, command: " + fleet.demoCommand(workerPort) + ", stopGrace: 1s}\n"
      + "checks:\n"
      + "  - {id: db, type: http, url: \"http://127.0.0.1:" + database.getAddress().getPort() + "/\","
      + " interval: 300ms, timeout: 1s, policy: {failureThreshold: 1}}\n"
      + "  - {id: app, type: http, service: app, url: \"http://127.0.0.1:" + appPort + "/health\", interval: 300ms,"
      + " timeout: 1s, dependsOn: [db], policy: " + POLICY + "}\n"
      + "  - {id: worker, type: http, service: worker, url: \"http://127.0.0.1:" + workerPort + "/health\","
      + " interval: 300ms, timeout: 500ms, mode: shadow, policy: " + POLICY + "}\n");
    for (String check : new String[] {"db", "app", "worker"}) {
      fleet.await(check + " healthy", Duration.ofSeconds(60), () -> "healthy".equals(fleet.state(AGENT, check)));
    }
    long appPid = fleet.pid(AGENT, "app");
    long workerPid = fleet.pid(AGENT, "worker");

    dbUp.set(false);
    tellDemo(appPort, "/unhealthy");
    fleet.await("the app shown blocked by db", Duration.ofSeconds(20), () -> fleet.check(AGENT, "app")
      .map(check -> "blocked by db".equals(check.getString("hold"))).orElse(false));
    Fleet.pause(Duration.ofSeconds(2));
    JsonObject app = fleet.check(AGENT, "app").orElseThrow();
    assertThat(app.getString("hold")).isEqualTo("blocked by db");
    assertThat(app.getInteger("restartsUsed")).isZero();
    assertThat(fleet.pid(AGENT, "app")).as("the app was not restarted").isEqualTo(appPid);

    stoppedPid = workerPid;
    Fleet.signal(workerPid, "STOP");
    fleet.await("a recorded would-be restart", Duration.ofSeconds(20), () -> shadow().stream()
      .map(JsonObject.class::cast).anyMatch(s -> "worker".equals(s.getString("checkId"))
        && s.getString("what").startsWith("would have restarted at ")));
    JsonArray actions = new JsonObject(fleet.get("/api/actions?service=worker").body()).getJsonArray("items");
    assertThat(actions.stream().map(JsonObject.class::cast))
      .allSatisfy(action -> assertThat(action.getString("status")).isEqualTo("shadow"))
      .anySatisfy(action -> assertThat(action.getString("reason")).startsWith("would have restarted at "));
    assertThat(fleet.pid(AGENT, "worker")).as("the shadowed worker was not touched").isEqualTo(workerPid);
    assertThat(Fleet.alive(workerPid)).isTrue();
    Fleet.signal(workerPid, "CONT");
    stoppedPid = null;

    // the app recovers first, then its dependency: had the db come back first, a failure of the app probed in the
    // instant between the two would rightly be restarted (the hold is gone), which is not what this test is about
    tellDemo(appPort, "/healthy");
    fleet.await("the app healthy again", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "app")));
    dbUp.set(true);
    fleet.await("the db healthy again", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "db")));
    assertThat(fleet.pid(AGENT, "app")).isEqualTo(appPid);
    assertThat(fleet.check(AGENT, "app").orElseThrow().containsKey("hold")).isFalse();
  }

  private static final String POLICY = "{failureThreshold: 2, startupGrace: 0s, startupDeadline: 30s,"
    + " backoff: {initial: 0s, max: 0s}}";

  private JsonArray shadow() {
    return new JsonObject(fleet.get("/api/rules").body()).getJsonArray("shadow");
  }

  private static void tellDemo(int port, String path) throws Exception {
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
      .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }
}
