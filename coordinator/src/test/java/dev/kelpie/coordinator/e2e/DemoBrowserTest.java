package dev.kelpie.coordinator.e2e;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo as a new user meets it: the shipped configs (local viewing on, the demo's two users), the programs run
 * as {@code ./kelpie-demo.sh} runs them, a real headless Chromium on the page.
 */
@DisplayName("The demo, with its own configuration")
class DemoBrowserTest {


  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private DemoPrograms demo;
  private Process coordinator;
  private Process agent;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    demo = new DemoPrograms();
    coordinator = demo.coordinator("coordinator.log");
    agent = demo.agent("agent.log");
    awaitTrue("the demo's http check healthy", Duration.ofSeconds(60), () -> "healthy".equals(state("demo-http")));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (browser != null) {
        screenshot("end");
        browser.quit();
      }
    } finally {
      if (demo != null) {
        demo.close();
      }
    }
  }

  @Test
  @DisplayName("a local viewer presses Log in, logs in as the demo's operator and restarts the demo from its host page")
  void aLocalViewerLogsInFromThePageAndRestartsTheDemo() throws Exception {
    Chromium.required();
    browser = chromium();
    browser.get(demo.baseUrl() + "/#/host/demo-host");
    By pidCell = By.cssSelector("[data-service='demo'] .pid");
    long before = servicePid();
    wait(Duration.ofSeconds(15)).until(d -> d.findElement(pidCell).getText().contains(Long.toString(before)));
    assertThat(browser.findElement(By.id("whoami")).getText()).isEqualTo("viewing locally (read-only)");
    assertThat(browser.findElements(By.cssSelector("button[data-action='restart']"))).as("a viewer's buttons")
      .allMatch(button -> !button.isDisplayed());

    WebElement logIn = browser.findElement(By.id("login-open"));
    assertThat(logIn.isDisplayed()).as("the Log in button").isTrue();
    logIn.click();
    WebElement form = wait(Duration.ofSeconds(5)).until(d -> d.findElement(By.id("login")).isDisplayed()
      ? d.findElement(By.id("login")) : null);
    form.findElement(By.name("username")).sendKeys("operator");
    form.findElement(By.name("password")).sendKeys("demo-operator");
    form.findElement(By.cssSelector("button[type=submit]")).click();
    wait(Duration.ofSeconds(15)).until(d -> d.findElement(By.id("whoami")).getText().equals("operator (operator)"));
    assertThat(browser.findElement(By.id("login-open")).isDisplayed()).as("Log in, once logged in").isFalse();

    By restart = By.cssSelector("[data-service='demo'] button[data-action='restart']");
    wait(Duration.ofSeconds(15)).until(d -> d.findElement(restart).isDisplayed());
    browser.findElement(restart).click();
    try {
      browser.switchTo().alert().accept();
    } catch (org.openqa.selenium.NoAlertPresentException none) {
      // the page did not ask
    }
    wait(Duration.ofSeconds(90)).until(d -> {
      long now = servicePid();
      return now > 0 && now != before && d.findElement(pidCell).getText().contains(Long.toString(now));
    });
    screenshot("restarted");
    assertThat(get("/api/actions?agent=demo-host").body())
      .contains("\"issuedBy\":\"operator\"").contains("\"action\":\"restart\"");
  }

  @Test
  @DisplayName("both programs say 'stopping (SIGTERM)' on a TERM and exit 143, and a taken port is one line naming it")
  void termStopsBothProgramsWithAWordAndATakenPortIsOneLine() throws Exception {
    Process second = demo.coordinator("second-coordinator.log");
    assertThat(DemoPrograms.exitWithin(second, Duration.ofSeconds(30))).isEqualTo(1);
    String refused = Files.readString(demo.log("second-coordinator.log"));
    assertThat(refused).contains("cannot listen on 127.0.0.1:" + demo.httpPort + ": address already in use")
      .as("no stack trace of the bind failure").doesNotContain("BindException")
      .doesNotContain("Address already in use");

    // a second agent of its own (its own state, its own demo port, no coordinator) whose metrics port is taken
    Process secondAgent = demo.agent("second-agent.log", java.util.Map.of(
      "KELPIE_AGENT_STATE_DIR", demo.runDir.resolve("second-agent").toString(),
      "KELPIE_DEMO_PORT", Integer.toString(Fleet.freePort()), "KELPIE_COORDINATOR_URL", "ws://127.0.0.1:9/bus"));
    assertThat(DemoPrograms.exitWithin(secondAgent, Duration.ofSeconds(30))).isEqualTo(1);
    assertThat(Files.readString(demo.log("second-agent.log")))
      .contains("cannot listen on 127.0.0.1:" + demo.metricsPort + " (metrics): address already in use")
      .as("no stack trace of the bind failure").doesNotContain("BindException")
      .doesNotContain("Address already in use");

    long service = demo.demoServicePid();
    agent.destroy();
    coordinator.destroy();
    assertThat(DemoPrograms.exitWithin(agent, Duration.ofSeconds(30))).isEqualTo(143);
    assertThat(DemoPrograms.exitWithin(coordinator, Duration.ofSeconds(30))).isEqualTo(143);
    assertThat(Files.readString(demo.log("agent.log"))).contains("stopping (SIGTERM)");
    assertThat(Files.readString(demo.log("coordinator.log"))).contains("stopping (SIGTERM)");
    assertThat(ProcessHandle.of(service).map(ProcessHandle::isAlive)).as("the demo service outlives its agent")
      .contains(true);
  }

  // --- helpers -------------------------------------------------------------------------------------------------

  private String state(String check) {
    try {
      return Fleet.stream(new JsonObject(get("/api/checks").body()).getJsonArray("checks"))
        .filter(c -> check.equals(c.getString("checkId"))).map(c -> c.getString("state")).findFirst().orElse("absent");
    } catch (RuntimeException e) {
      return "unreachable";
    }
  }

  /** The demo service's pid as the coordinator knows it (what the page shows), or -1. */
  private long servicePid() {
    try {
      JsonObject agent = new JsonObject(get("/api/agents/demo-host").body()).getJsonObject("agent");
      return Fleet.stream(agent.getJsonArray("services")).filter(s -> "demo".equals(s.getString("name")))
        .map(s -> s.getLong("pid")).filter(java.util.Objects::nonNull).findFirst().orElse(-1L);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** As a local viewer: no token, no cookie. */
  private HttpResponse<String> get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(demo.baseUrl() + path)).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitTrue(String what, Duration timeout, java.util.function.BooleanSupplier condition)
    throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Fleet.pause(Duration.ofMillis(200));
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what + "\ncoordinator log:\n"
      + Files.readString(demo.log("coordinator.log")) + "\nagent log:\n" + Files.readString(demo.log("agent.log")));
  }

  private WebDriver chromium() {
    return Chromium.start();
  }

  private WebDriverWait wait(Duration timeout) {
    return Chromium.waitOn(browser, timeout);
  }

  private void screenshot(String moment) throws IOException {
    Chromium.screenshot(browser, "DemoBrowserTest-" + moment);
  }
}
