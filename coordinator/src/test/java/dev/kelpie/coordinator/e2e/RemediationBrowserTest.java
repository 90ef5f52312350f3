package dev.kelpie.coordinator.e2e;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A jobs check's page in a real headless Chromium, against a real coordinator, agent and PostgreSQL table: the rows
 * per status drawn over time, Remediate with its dry-run preview, then the real run, and who ordered it on the
 * action rows and the incident's timeline.
 */
class RemediationBrowserTest {

  private static final String AGENT = "db-01";
  private static final String DB = System.getenv().getOrDefault("KELPIE_TEST_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/test");

  private final String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private Vertx vertx;
  private Pool db;
  private Fleet fleet;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    Chromium.required();
    vertx = Vertx.vertx();
    db = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(DB))
      .using(vertx).build();
    db.query("CREATE SCHEMA " + schema).execute().await();
    db.query("CREATE TABLE " + schema + ".jobs (id bigint PRIMARY KEY, status text NOT NULL, "
      + "updated_at timestamptz NOT NULL, reason text)").execute().await();
    db.query("INSERT INTO " + schema + ".jobs (id, status, updated_at) VALUES "
      + "(1, 'running', now() - interval '1 hour'), (2, 'running', now() - interval '20 minutes'), "
      + "(3, 'running', now()), (4, 'done', now())").execute().await();
    fleet = new Fleet();
    fleet.access(Fleet.accessWithUsers(""));
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "checks:\n"
      + "  - {id: stuck-jobs, type: jobs, database: \"" + DB + "\", table: " + schema + ".jobs, stuckAfter: 10m, "
      + "reasonColumn: reason, interval: 500ms, timeout: 5s, policy: {failureThreshold: 2}}\n");
    fleet.await("the jobs check unhealthy", Duration.ofSeconds(30),
      () -> "unhealthy".equals(fleet.state(AGENT, "stuck-jobs")));
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
      if (db != null) {
        db.query("DROP SCHEMA " + schema + " CASCADE").execute().await();
        vertx.close().await();
      }
    }
  }

  @Test
  void anOperatorPreviewsThenRemediatesStuckJobsAndSeesWhoDidIt() throws Exception {
    logIn("olga", "olga-password");
    browser.get(fleet.baseUrl() + "/#/check/" + AGENT + "/stuck-jobs");
    wait(Duration.ofSeconds(15)).until(driver -> driver.findElement(By.id("check-statuses")).getText()
      .contains("running 3"));
    assertThat(browser.findElement(By.id("check-statuses")).getText()).contains("done 1");
    assertThat(browser.findElements(By.cssSelector("#check-statuses polyline.series"))).hasSize(2);

    // the check's summary is redrawn by live changes: a button found just before a redraw is clicked again
    wait(Duration.ofSeconds(15)).ignoring(StaleElementReferenceException.class).until(driver -> {
      driver.findElement(By.cssSelector("button[data-action='remediate']")).click();
      return true;
    });
    WebElement preview = wait(Duration.ofSeconds(15)).until(driver ->
      driver.findElement(By.cssSelector("#remediation .remediation-preview")));
    assertThat(preview.getText()).isEqualTo("dry run: 2 rows would be set to failed: 1, 2");
    assertThat(statuses()).as("a dry run changes nothing").containsExactly("1 running", "2 running", "3 running",
      "4 done");
    screenshot("preview");

    browser.findElement(By.cssSelector("button[data-action='remediate-now']")).click();
    Alert asked = wait(Duration.ofSeconds(5)).until(driver -> driver.switchTo().alert());
    assertThat(asked.getText()).contains("stuck-jobs").contains("Why?");
    asked.sendKeys("worker crashed");
    asked.accept();
    wait(Duration.ofSeconds(15)).until(driver -> driver.findElement(By.cssSelector("#remediation .remediation-done"))
      .getText().equals("2 rows set to failed: 1, 2"));
    assertThat(statuses()).containsExactly("1 failed", "2 failed", "3 running", "4 done");

    wait(Duration.ofSeconds(15)).until(driver -> driver.findElement(By.id("check-actions")).getText()
      .contains("2 rows set to failed: 1, 2"));
    String actions = browser.findElement(By.id("check-actions")).getText();
    assertThat(actions).contains("operator olga").contains("remediate (dry run)")
      .contains("dry run: 2 rows would be set to failed: 1, 2");
    screenshot("done");

    fleet.await("the check healthy again", Duration.ofSeconds(20),
      () -> "healthy".equals(fleet.state(AGENT, "stuck-jobs")));
    browser.get(fleet.baseUrl() + "/#/incidents");
    WebElement incident = wait(Duration.ofSeconds(10)).until(driver ->
      driver.findElement(By.cssSelector("details[data-incident]")));
    incident.findElement(By.tagName("summary")).click();
    wait(Duration.ofSeconds(10)).until(driver -> incident.getText().contains("remediate done"));
    assertThat(incident.getText()).contains("operator olga").contains("2 rows set to failed: 1, 2");
    screenshot("timeline");
  }

  private List<String> statuses() {
    List<String> rows = new ArrayList<>();
    for (Row row : db.query("SELECT id, status FROM " + schema + ".jobs ORDER BY id").execute().await()) {
      rows.add(row.getLong(0) + " " + row.getString(1));
    }
    return rows;
  }

  private WebDriver chromium() {
    return Chromium.start();
  }

  private void logIn(String user, String password) {
    browser.get(fleet.baseUrl() + "/");
    wait(Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("login")).isDisplayed());
    WebElement form = browser.findElement(By.id("login"));
    form.findElement(By.name("username")).sendKeys(user);
    form.findElement(By.name("password")).sendKeys(password);
    form.findElement(By.cssSelector("button[type=submit]")).click();
    wait(Duration.ofSeconds(10)).until(driver -> driver.findElement(By.id("whoami")).getText().contains(user));
  }

  private WebDriverWait wait(Duration timeout) {
    return Chromium.waitOn(browser, timeout);
  }

  private void screenshot(String moment) throws IOException {
    Chromium.screenshot(browser, getClass().getSimpleName() + "-" + moment);
  }
}
