package dev.kelpie.coordinator.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver), against a real coordinator,
 * agent and demo service: what a person sees. A screenshot per test goes to target/screenshots/.
 */
class DashboardBrowserTest {

  private static final String AGENT = "web-01";
  /** The states a check passes through between its hang and its respawn: anything but healthy, in the overview. */
  private static final Set<String> FAILING = Set.of("failing", "unhealthy", "backing_off", "acting", "starting");

  private Fleet fleet;
  private int demoPort;
  private WebDriver browser;
  private String testName;

  @BeforeEach
  void start(TestInfo info) throws Exception {
    testName = info.getTestMethod().orElseThrow().getName();
    Chromium.required();
    fleet = new Fleet();
    demoPort = Fleet.freePort();
    fleet.access(Fleet.accessWithUsers(""));
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "services:\n"
      + "  - name: demo\n"
      + "    command: " + fleet.demoCommand(demoPort) + "\n"
      + "    port: " + demoPort + "\n"
      + "    stopGrace: 1s\n"
      + "    restart: {budget: {restarts: 5, per: 1h}, backoff: {initial: 0s, max: 0s}}\n"
      + "checks:\n"
      + "  - id: demo-http\n"
      + "    type: http\n"
      + "    service: demo\n"
      + "    url: http://127.0.0.1:" + demoPort + "/health\n"
      + "    connectTimeout: 300ms\n"
      + "    timeout: 400ms\n"
      + "    interval: 300ms\n"
      + "    labels: {team: web}\n"
      + "    policy: {failureThreshold: 3, startupGrace: 1s, budget: {restarts: 5, per: 1h}, "
      + "backoff: {initial: 0s, max: 0s}}\n");
    fleet.await("demo healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
    browser = chromium();
  }

  @AfterEach
  void stop() throws IOException {
    try {
      if (browser != null) {
        screenshot("end");
        browser.quit();
      }
    } finally {
      if (fleet != null) {
        fleet.close();
      }
    }
  }

  @Test
  void theOverviewGoesRedOnAHangAndGreenAfterTheRespawnWithoutAReload() throws Exception {
    logIn("victor", "victor-password");
    WebElement tile = awaitTileState("healthy");
    assertThat(tile.getAttribute("title")).contains("demo-http");
    ((JavascriptExecutor) browser).executeScript("window.kelpieTestMarker = 'same page'");

    long pid = fleet.pid(AGENT, "demo");
    Fleet.signal(pid, "STOP");   // the port stays open, nothing answers
    try {
      wait(Duration.ofSeconds(20)).until(driver -> FAILING.contains(tileState()));
      screenshot("red");
      wait(Duration.ofSeconds(40)).until(driver -> {
        Long now = fleet.pid(AGENT, "demo");
        return now != null && now != pid && "healthy".equals(tileState());
      });
    } finally {
      if (Fleet.alive(pid)) {
        Fleet.signal(pid, "KILL");   // the test failed before Kelpie killed it
      }
    }
    assertThat(((JavascriptExecutor) browser).executeScript("return window.kelpieTestMarker"))
      .as("the page was never reloaded").isEqualTo("same page");
    assertThat(browser.findElement(By.id("live-status")).getAttribute("data-live")).isEqualTo("true");

    // what happened is told on the check's page and the incidents page
    browser.get(fleet.baseUrl() + "/#/check/" + AGENT + "/demo-http");
    wait(Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("check-actions")).getText()
      .contains("restart"));
    assertThat(browser.findElement(By.id("check-actions")).getText()).as("who ordered it").contains("policy (demo-http)");
    assertThat(browser.findElement(By.id("check-policy")).getText()).contains("3 in a row");
    assertThat(browser.findElement(By.id("check-transitions")).getText()).contains("acting");
    // every transition says why: the probe's words, the threshold crossed, who restarted and why
    String told = browser.findElement(By.id("check-transitions")).getText();
    assertThat(told).contains("3 failures in a row (threshold 3)").contains("restarted by Kelpie for demo-http")
      .contains("answered: HTTP 200");
    // the chart has a value axis in ms and a time axis in clock labels
    assertThat(browser.findElements(By.cssSelector("#check-chart svg .value-label"))).extracting(WebElement::getText)
      .isNotEmpty().allMatch(label -> label.matches("\\d+ ms"));
    assertThat(browser.findElements(By.cssSelector("#check-chart svg .time-label"))).extracting(WebElement::getText)
      .hasSizeGreaterThanOrEqualTo(3).allMatch(label -> label.matches("\\d\\d:\\d\\d"));
    screenshot("check-page");
    browser.get(fleet.baseUrl() + "/#/incidents");
    WebElement incident = wait(Duration.ofSeconds(10)).until(driver ->
      driver.findElement(By.cssSelector("details[data-incident]")));
    incident.findElement(By.tagName("summary")).click();
    wait(Duration.ofSeconds(10)).until(driver -> incident.getText().contains("restart done"));
    assertThat(incident.findElements(By.cssSelector("td.who"))).extracting(WebElement::getText)
      .as("who ordered each action of the timeline").contains("policy (demo-http)");
    assertThat(incident.findElements(By.cssSelector("svg.timeline circle"))).isNotEmpty();
    assertThat(incident.findElements(By.cssSelector("svg.timeline .time-label"))).extracting(WebElement::getText)
      .as("the timeline's time axis").anyMatch(label -> label.matches("opened \\d\\d:\\d\\d:\\d\\d"))
      .allMatch(label -> label.matches("((opened|closed) )?\\d\\d:\\d\\d(:\\d\\d)?|now"));
    assertThat(incident.findElements(By.cssSelector("svg.timeline .mark-label"))).extracting(WebElement::getText)
      .as("the timeline's labels").contains("acting");
    screenshot("incidents");
  }

  @Test
  void anOperatorRestartsAServiceFromItsPageAndSeesTheNewPid() throws Exception {
    logIn("olga", "olga-password");
    browser.get(fleet.baseUrl() + "/#/host/" + AGENT);
    long before = fleet.pid(AGENT, "demo");
    By pidCell = By.cssSelector("[data-service='demo'] .pid");
    wait(Duration.ofSeconds(10)).until(driver -> driver.findElement(pidCell).getText().contains(String.valueOf(before)));
    // the service's row is redrawn by live changes: a button found just before a redraw is clicked again
    wait(Duration.ofSeconds(10)).until(driver -> {
      driver.findElement(By.cssSelector("[data-service='demo'] button[data-action='restart']")).click();
      return true;
    });
    // Restart asks why, as Stop does; the answer is recorded with the name
    org.openqa.selenium.Alert asked = wait(Duration.ofSeconds(5)).until(driver -> driver.switchTo().alert());
    assertThat(asked.getText()).contains("Restart demo on " + AGENT).contains("Why?");
    asked.sendKeys("deploy 4.2");
    asked.accept();
    wait(Duration.ofSeconds(30)).until(driver -> {
      Long now = fleet.pid(AGENT, "demo");
      return now != null && now != before && driver.findElement(pidCell).getText().contains(String.valueOf(now));
    });
    screenshot("new-pid");
    assertThat(fleet.get("/api/actions?agent=" + AGENT).body()).contains("\"issuedBy\":\"olga\"")
      .contains("operator olga: deploy 4.2");
    // and the check's page tells who restarted it and why
    browser.get(fleet.baseUrl() + "/#/check/" + AGENT + "/demo-http");
    wait(Duration.ofSeconds(15)).until(driver -> driver.findElement(By.id("check-transitions")).getText()
      .contains("restarted by operator olga: deploy 4.2"));
    screenshot("check-page");
    assertThat(fleet.get("/ui/favicon.svg").headers().firstValue("content-type")).hasValueSatisfying(type ->
      assertThat(type).startsWith("image/svg+xml"));
    assertThat(browser.findElement(By.cssSelector("link[rel=icon]")).getAttribute("href")).endsWith("/ui/favicon.svg");
  }

  @Test
  void oneColdProbeDoesNotSetTheLatencyChartsScale() throws Exception {
    logIn("victor", "victor-password");
    // 200 probes at 8 to 12 ms and one cold one at 4 s, drawn by the page's own chart module
    Object drawn = ((JavascriptExecutor) browser).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        import('/ui/chart.js').then(({ latencyChart }) => {
          const now = Date.now();
          const points = Array.from({ length: 200 }, (_, i) => ({ seq: i, time: new Date(now - i * 4000).toISOString(),
            outcome: 'up', latencyMs: 8 + (i % 5), detail: 'HTTP 200' }));
          points[100].latencyMs = 4000;
          const box = document.createElement('div');
          box.id = 'chart-under-test';
          box.innerHTML = latencyChart(points, { width: 900, height: 160, minutes: 15 });
          document.body.prepend(box);   // not in #main: the page may render its view there again meanwhile
          done('drawn');
        }, e => done(String(e)));
        """);
    assertThat(drawn).isEqualTo("drawn");
    List<String> values = browser.findElements(By.cssSelector("#chart-under-test .value-label")).stream()
      .map(WebElement::getText).toList();
    assertThat(values).as("the value axis").first().isEqualTo("0 ms");
    assertThat(values).last().isIn("12 ms", "15 ms", "20 ms");
    assertThat(browser.findElements(By.cssSelector("#chart-under-test .over title"))).extracting(
      e -> e.getAttribute("textContent")).singleElement().asString().contains("4000 ms");
    screenshot("cold-probe");
  }

  @Test
  void aViewerSeesNoActionsAndCannotAct() throws Exception {
    logIn("victor", "victor-password");
    browser.get(fleet.baseUrl() + "/#/host/" + AGENT);
    By pidCell = By.cssSelector("[data-service='demo'] .pid");
    wait(Duration.ofSeconds(10)).until(driver -> !driver.findElement(pidCell).getText().isBlank());
    List<WebElement> buttons = browser.findElements(By.cssSelector("button[data-action]"));
    assertThat(buttons.stream().filter(WebElement::isDisplayed).toList()).as("action buttons a viewer sees")
      .isEmpty();
    // and the API refuses what the page does not offer, even from the viewer's own session and CSRF token
    Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        const token = document.cookie.split('; ').find(c => c.startsWith('XSRF-TOKEN='))?.split('=')[1];
        fetch('/api/agents/%s/services/demo/restart', {method: 'POST', credentials: 'same-origin',
          headers: {'X-XSRF-TOKEN': token, 'content-type': 'application/json'}, body: '{}'})
          .then(r => done(r.status), e => done(String(e)));
        """.formatted(AGENT));
    assertThat(status).isEqualTo(403L);
    assertThat(browser.findElement(By.id("whoami")).getText()).contains("victor").contains("viewer");
  }

  @Test
  void thePageReconnectsByItselfAfterACoordinatorRestart() throws Exception {
    logIn("olga", "olga-password");
    awaitTileState("healthy");
    ((JavascriptExecutor) browser).executeScript("window.kelpieTestMarker = 'same page'");
    fleet.stopCoordinator();
    wait(Duration.ofSeconds(15)).until(driver ->
      "false".equals(driver.findElement(By.id("live-status")).getAttribute("data-live")));
    screenshot("disconnected");
    fleet.startCoordinator(AGENT);
    // sessions do not outlive the coordinator: the page asks to log in again, then is live without a reload
    wait(Duration.ofSeconds(30)).until(driver -> !driver.findElements(By.cssSelector("#login")).isEmpty()
      && driver.findElement(By.cssSelector("#login")).isDisplayed()
      || "true".equals(driver.findElement(By.id("live-status")).getAttribute("data-live")));
    if (!browser.findElements(By.cssSelector("#login")).isEmpty()
      && browser.findElement(By.cssSelector("#login")).isDisplayed()) {
      submitLogin("olga", "olga-password");
    }
    wait(Duration.ofSeconds(30)).until(driver ->
      "true".equals(driver.findElement(By.id("live-status")).getAttribute("data-live")));
    // a change after the restart reaches the page: a silence set through the API
    assertThat(fleet.send("POST", "/api/agents/" + AGENT + "/checks/demo-http/silence", "{\"duration\":\"5m\"}")
      .statusCode()).isEqualTo(200);
    wait(Duration.ofSeconds(10)).until(driver -> "silenced".equals(tileState()));
    assertThat(((JavascriptExecutor) browser).executeScript("return window.kelpieTestMarker"))
      .as("the page was never reloaded").isEqualTo("same page");
  }

  // --- helpers -------------------------------------------------------------------------------------------------

  private WebDriver chromium() {
    return Chromium.start();
  }

  private void logIn(String user, String password) {
    browser.get(fleet.baseUrl() + "/");
    wait(Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("login")).isDisplayed());
    submitLogin(user, password);
    wait(Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("whoami")).getText().contains(user));
  }

  private void submitLogin(String user, String password) {
    WebElement form = browser.findElement(By.id("login"));
    WebElement name = form.findElement(By.name("username"));
    name.clear();
    name.sendKeys(user);
    form.findElement(By.name("password")).sendKeys(password);
    form.findElement(By.cssSelector("button[type=submit]")).click();
  }

  private WebElement awaitTileState(String state) {
    By tile = By.cssSelector("[data-check='" + AGENT + "/demo-http']");
    wait(Duration.ofSeconds(15)).until(driver -> state.equals(tileState()));
    return browser.findElement(tile);
  }

  private String tileState() {
    List<WebElement> tiles = browser.findElements(By.cssSelector("[data-check='" + AGENT + "/demo-http']"));
    return tiles.isEmpty() ? null : tiles.get(0).getAttribute("data-state");
  }

  private WebDriverWait wait(Duration timeout) {
    return Chromium.waitOn(browser, timeout);
  }

  private void screenshot(String moment) throws IOException {
    Chromium.screenshot(browser, getClass().getSimpleName() + "-" + testName + "-" + moment);
  }
}
