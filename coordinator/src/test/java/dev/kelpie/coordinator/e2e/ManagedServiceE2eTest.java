package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A service a real supervisord runs, watched by a real agent through a real coordinator: supervisord's own view of it
 * (statename and pid) is in {@code /api/agents} beside Kelpie's, on the service and on its events, and a kill -9 is
 * seen and repaired through supervisord.
 */
class ManagedServiceE2eTest {

  private static final String AGENT = "host-m";
  private static final Pattern RUNNING = Pattern.compile("^demo\\s+RUNNING\\s+pid (\\d+),.*$");

  private Fleet fleet;
  private Process supervisord;
  private Path config;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    boolean installed = Files.isExecutable(Path.of("/usr/bin/supervisord"))
      && Files.isExecutable(Path.of("/usr/bin/supervisorctl"));
    if ("true".equals(System.getenv("CI"))) {
      assertThat(installed).as("supervisord installed (.ci/run installs Debian's supervisor)").isTrue();
    }
    assumeTrue(installed, "supervisord is not installed (Debian: apt-get install supervisor); skipped");
    fleet = new Fleet();
    int demoPort = Fleet.freePort();
    config = dir.resolve("supervisord.conf");
    Files.writeString(config, """
      [unix_http_server]
      file=%1$s/supervisor.sock

      [supervisord]
      nodaemon=true
      logfile=%1$s/supervisord.log
      pidfile=%1$s/supervisord.pid
      childlogdir=%1$s

      [rpcinterface:supervisor]
      supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

      [supervisorctl]
      serverurl=unix://%1$s/supervisor.sock

      [program:demo]
      command=%2$s -D%3$s -jar %4$s --port %5$d --host 127.0.0.1
      autorestart=false
      startsecs=1
      startretries=0
      stdout_logfile=%1$s/demo.log
      redirect_stderr=true
      """.formatted(dir, Path.of(System.getProperty("java.home"), "bin", "java"), fleet.marker(), Fleet.DEMO_JAR,
      demoPort), StandardCharsets.UTF_8);
    supervisord = new ProcessBuilder("supervisord", "-c", config.toString()).redirectErrorStream(true)
      .redirectOutput(dir.resolve("supervisord.out").toFile()).start();
    fleet.await("supervisord to run the demo", Duration.ofSeconds(60), () -> demoPid().isPresent());
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "services:\n  - name: demo\n    port: " + demoPort + "\n    manager: {type: supervisord,"
      + " program: demo, socket: \"" + dir.resolve("supervisor.sock") + "\", timeout: 15s}\n"
      + "checks:\n  - {id: demo-proc, type: process, service: demo, interval: 500ms, policy: {failureThreshold: 2,"
      + " startupGrace: 5s, startupDeadline: 60s, budget: {restarts: 3, per: 1h}, backoff: {initial: 0s, max: 0s}}}\n");
  }

  @AfterEach
  void stop() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
    if (supervisord != null) {
      supervisord.destroy();
      if (!supervisord.waitFor(15, TimeUnit.SECONDS)) {
        supervisord.destroyForcibly();
      }
    }
  }

  @Test
  @DisplayName("supervisord's RUNNING and pid are in /api/agents; a kill -9 shows EXITED there, and the restart "
    + "through supervisord shows RUNNING with the new pid that supervisorctl shows")
  void managerViewThroughTheCoordinator() throws Exception {
    fleet.await("supervisord's view of the demo in /api/agents", Duration.ofSeconds(30),
      () -> manager().map(m -> "RUNNING".equals(m.getString("state"))).orElse(false));
    JsonObject shown = manager().orElseThrow();
    long before = shown.getLong("pid");
    assertThat(demoPid()).as("supervisorctl's pid").hasValue(before);
    assertThat(shown.getString("type")).isEqualTo("supervisord");
    assertThat(shown.getString("target")).isEqualTo("supervisord program demo at unix://" + dir.resolve(
      "supervisor.sock"));
    assertThat(shown.getLong("seenAt")).isPositive();

    Fleet.signal(before, "KILL");

    fleet.await("a restart through supervisord, in /api/agents", Duration.ofSeconds(60), () -> manager()
      .map(m -> "RUNNING".equals(m.getString("state")) && m.getLong("pid", before) != before).orElse(false));
    long after = manager().orElseThrow().getLong("pid");
    fleet.await("supervisorctl to show the new pid " + after, Duration.ofSeconds(30),
      () -> demoPid().equals(Optional.of(after)));
    assertThat(fleet.pid(AGENT, "demo")).isEqualTo(after);
    JsonArray events = new JsonObject(fleet.get("/api/agents/" + AGENT).body()).getJsonObject("agent")
      .getJsonArray("recentEvents");
    JsonObject exited = Fleet.stream(events)
      .filter(e -> "exited".equals(e.getString("type")) && e.getLong("pid") == before).findFirst().orElseThrow();
    assertThat(exited.getJsonObject("manager").getString("state")).isEqualTo("EXITED");
    assertThat(exited.getJsonObject("manager").containsKey("pid")).isFalse();
  }

  @Test
  @DisplayName("the host page shows supervisord's own view beside Kelpie's pid")
  void hostPageShowsTheManagersView() throws Exception {
    Chromium.required();
    fleet.await("supervisord's view of the demo in /api/agents", Duration.ofSeconds(30),
      () -> manager().map(m -> "RUNNING".equals(m.getString("state"))).orElse(false));
    long pid = manager().orElseThrow().getLong("pid");
    WebDriver browser = Chromium.start();
    try {
      browser.get(fleet.baseUrl() + "/#/host/" + AGENT);
      By row = By.cssSelector("[data-service='demo']");
      new WebDriverWait(browser, Duration.ofSeconds(20)).until(driver -> driver.findElement(row).getText()
        .contains("supervisord: RUNNING (pid " + pid + ")"));

      assertThat(browser.findElement(row).getText()).contains("supervisord program demo at unix://"
        + dir.resolve("supervisor.sock"));
    } finally {
      browser.quit();
    }
  }

  private JsonObject agent() {
    JsonArray agents = new JsonObject(fleet.get("/api/agents").body()).getJsonArray("agents");
    return Fleet.stream(agents).filter(a -> AGENT.equals(a.getString("agentId"))).findFirst().orElseThrow();
  }

  private Optional<JsonObject> manager() {
    try {
      return Fleet.stream(agent().getJsonArray("services")).filter(s -> "demo".equals(s.getString("name")))
        .findFirst().map(s -> s.getJsonObject("manager"));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private Optional<Long> demoPid() {
    Matcher matcher = RUNNING.matcher(ctl("status", "demo"));
    return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
  }

  private String ctl(String... arguments) {
    try {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("supervisorctl", "-c",
        config.toString()));
      command.addAll(java.util.List.of(arguments));
      Process ctl = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(ctl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      ctl.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "supervisorctl failed: " + e.getMessage();
    }
  }
}
