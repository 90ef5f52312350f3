package dev.kelpie.bench;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard's overview in headless Chromium, against one coordinator holding {@code agents x checks} checks fed
 * by simulated agents over real connections: time to first render, then behaviour under a steady rate of state
 * changes: do the changes reach the page (how many, how late), and does the page freeze (long tasks, frame gaps).
 */
@Command(name = "kelpie-dashboard-bench", mixinStandardHelpOptions = true)
public final class DashboardBench implements Callable<Integer> {

  @Option(names = "--agents", defaultValue = "1000", description = "simulated hosts (default ${DEFAULT-VALUE})")
  int agents;

  @Option(names = "--checks", defaultValue = "10", description = "checks per host (default ${DEFAULT-VALUE})")
  int checks;

  @Option(names = "--rate", defaultValue = "1000", description = "state changes per second (default ${DEFAULT-VALUE})")
  int rate;

  @Option(names = "--seconds", defaultValue = "20", description = "seconds under changes (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--loads", defaultValue = "3", description = "first renders measured (default ${DEFAULT-VALUE})")
  int loads;

  @Option(names = "--chromium", defaultValue = "/usr/bin/chromium")
  File chromium;

  @Option(names = "--chromedriver", defaultValue = "/usr/bin/chromedriver")
  File chromedriver;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DashboardBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    StringBuilder yaml = new StringBuilder("http: {host: 127.0.0.1, port: 0}\naccess: {localViewing: true}\nagents:\n");
    for (int i = 0; i < agents; i++) {
      yaml.append("  - {id: host-").append(i).append(", token: token-").append(i).append("}\n");
    }
    CoordinatorConfig config = CoordinatorConfig.fromYaml(yaml.toString(), "dashboard-bench.yaml", Map.of());
    var registry = Coordinator.newRegistry();
    Vertx coordinatorVertx = Coordinator.newVertx(registry);
    Coordinator coordinator = Coordinator.deploy(coordinatorVertx, config, Clock.systemUTC(), registry).await();
    String base = "http://127.0.0.1:" + coordinator.port();

    Vertx agentVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    WebSocketClient client = agentVertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(agents + 10));
    List<FlappingAgent> fleet = new ArrayList<>();
    List<Future<Void>> connected = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      FlappingAgent agent = new FlappingAgent(agentVertx, "host-" + i, checks);
      fleet.add(agent);
      connected.add(agent.connect(client, coordinator.port(), "token-" + i));
    }
    Future.all(connected).await();
    int total = agents * checks;
    System.out.printf("machine: %d cores, Java %s; fleet: %d hosts x %d checks = %d checks%n",
      Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), agents, checks, total);

    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-quic", "--window-size=1400,900");
    ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver)
      .usingAnyFreePort().build(), options);
    JavascriptExecutor page = browser;
    try {
      // --- first render -----------------------------------------------------------------------------------------
      List<Double> pageMs = new ArrayList<>();
      for (int load = 0; load < loads; load++) {
        browser.get(base + "/?load=" + load + "#/");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Object rendered = null;
        while (System.nanoTime() < deadline) {
          rendered = page.executeScript("return window.kelpie && window.kelpie.firstRenderMs != null"
            + " && document.querySelectorAll('[data-check]').length === " + total
            + " ? window.kelpie.firstRenderMs : null");
          if (rendered != null) {
            break;
          }
          Thread.sleep(20);
        }
        if (rendered == null) {
          throw new IllegalStateException("the overview did not show " + total + " checks within 60 s");
        }
        pageMs.add(((Number) rendered).doubleValue());
      }
      Collections.sort(pageMs);
      System.out.printf("first render of the overview, %d checks (navigation start -> every tile in the DOM): "
        + "median %.0f ms, best %.0f ms, worst %.0f ms over %d loads%n", total, pageMs.get(pageMs.size() / 2),
        pageMs.get(0), pageMs.get(pageMs.size() - 1), loads);

      // --- under changes ----------------------------------------------------------------------------------------
      page.executeScript("""
          window.__bench = {gaps: [], longTasks: [], last: performance.now(), applied0: window.kelpie.appliedChanges};
          new PerformanceObserver(list => list.getEntries().forEach(e => window.__bench.longTasks.push(e.duration)))
            .observe({type: 'longtask'});
          (function frame() {
            const now = performance.now();
            window.__bench.gaps.push(now - window.__bench.last);
            window.__bench.last = now;
            requestAnimationFrame(frame);
          })();
          """);
      AtomicLong sent = new AtomicLong();
      int perTick = Math.max(1, rate / 100);
      int[] cursor = {1};   // host-0 is the marker's host and is left alone
      long timer = agentVertx.setPeriodic(10, t -> {
        for (int i = 0; i < perTick; i++) {
          fleet.get(cursor[0]).flip();
          cursor[0] = cursor[0] + 1 >= agents ? 1 : cursor[0] + 1;
          sent.incrementAndGet();
        }
      });
      List<Long> lags = new ArrayList<>();
      long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
      boolean markerDown = false;
      String marker = "[data-check='host-0/" + FlappingAgent.checkId(0) + "']";
      while (System.nanoTime() < end) {
        markerDown = !markerDown;
        String expected = markerDown ? "unhealthy" : "healthy";
        long t0 = System.nanoTime();
        boolean down = markerDown;
        agentVertx.runOnContext(v -> fleet.get(0).set(0, down));
        while (!expected.equals(page.executeScript("const e = document.querySelector(\"" + marker + "\");"
          + " return e && e.dataset.state")) && System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
          Thread.sleep(5);
        }
        lags.add(System.nanoTime() - t0);
        Thread.sleep(500);
      }
      agentVertx.cancelTimer(timer);
      long changesSent = sent.get() + lags.size();
      Thread.sleep(1500);   // the last tick, the last frame
      @SuppressWarnings("unchecked")
      Map<String, Object> stats = (Map<String, Object>) page.executeScript("""
          const b = window.__bench;
          const gaps = b.gaps.slice(1).sort((x, y) => x - y);
          return {applied: window.kelpie.appliedChanges - b.applied0,
            maxGap: gaps.length ? gaps[gaps.length - 1] : 0, p99Gap: gaps.length ? gaps[Math.floor(gaps.length * 0.99)] : 0,
            frames: gaps.length, longTasks: b.longTasks.length, longTaskMs: b.longTasks.reduce((s, d) => s + d, 0),
            longestTask: b.longTasks.reduce((m, d) => Math.max(m, d), 0)};
          """);
      Collections.sort(lags);
      System.out.printf("under %d state changes per second for %d s (%d changes sent):%n", rate, seconds, changesSent);
      System.out.printf("  changes applied by the page: %s (%.0f per second)%n", stats.get("applied"),
        ((Number) stats.get("applied")).doubleValue() / seconds);
      System.out.printf("  change -> tile shows it (one marked check, %d samples): p50 %.0f ms, max %.0f ms "
        + "(includes the coordinator's 250 ms publishing tick)%n", lags.size(), lags.get(lags.size() / 2) / 1e6,
        lags.get(lags.size() - 1) / 1e6);
      System.out.printf("  frames: %s, p99 gap %.0f ms, longest gap %.0f ms; long tasks (>50 ms): %s, %.0f ms in all, "
        + "longest %.0f ms%n", stats.get("frames"), ((Number) stats.get("p99Gap")).doubleValue(),
        ((Number) stats.get("maxGap")).doubleValue(), stats.get("longTasks"),
        ((Number) stats.get("longTaskMs")).doubleValue(), ((Number) stats.get("longestTask")).doubleValue());

      // --- agreement ----------------------------------------------------------------------------------------------
      JsonObject truth = new JsonObject(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(base + "/api/checks?view=summary")).build(), HttpResponse.BodyHandlers.ofString()).body());
      @SuppressWarnings("unchecked")
      Map<String, Object> shown = (Map<String, Object>) page.executeScript("""
          const out = {};
          document.querySelectorAll('[data-check]').forEach(e => out[e.dataset.check] = e.dataset.state);
          return out;
          """);
      int wrong = 0;
      JsonArray all = truth.getJsonArray("checks");
      for (int i = 0; i < all.size(); i++) {
        JsonObject check = all.getJsonObject(i);
        if (!check.getString("state").equals(shown.get(check.getString("agentId") + "/" + check.getString("checkId")))) {
          wrong++;
        }
      }
      System.out.printf("  after the changes stop: %d of %d tiles differ from the coordinator's state%n", wrong,
        all.size());
    } finally {
      browser.quit();
      agentVertx.close().await();
      coordinatorVertx.close().await();
    }
    return 0;
  }
}
