package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.store.TcpProxy;
import dev.kelpie.coordinator.store.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium while PostgreSQL is frozen through a proxy: a banner says the store is down,
 * and goes away once it is back, without a reload.
 */
class StoreBannerBrowserTest {

  private static final String AGENT = "host-b";

  private final String schema = TestDatabase.newSchema();
  private Fleet fleet;
  private TcpProxy proxy;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    Chromium.required();
    fleet = new Fleet();
    URI db = URI.create(TestDatabase.url());
    proxy = new TcpProxy(db.getHost(), db.getPort());
    String viaProxy = TestDatabase.url().replace(db.getHost() + ":" + db.getPort(), "127.0.0.1:" + proxy.start());
    Path journal = Files.createTempDirectory("kelpie-journal");
    fleet.store("store: {postgres: {url: \"" + viaProxy + "\", schema: " + schema + "}, writeTimeout: 1s, "
      + "journal: \"" + journal + "\"}\n");
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "checks:\n  - {id: port, type: tcp, host: 127.0.0.1, port: " + fleet.coordinatorPort()
      + ", interval: 200ms}\n");
    fleet.await("agent reporting", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "port")));
    browser = Chromium.start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (browser != null) {
        screenshot("end");
        browser.quit();
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      if (fleet != null) {
        fleet.close();
      }
      TestDatabase.dropSchema(schema);
    }
  }

  @Test
  @DisplayName("the page shows a banner while the store is down, naming why, and hides it once the store is back")
  void bannerWhileTheStoreIsDown() throws Exception {
    browser.get(fleet.baseUrl() + "/");
    WebElement banner = browser.findElement(By.id("store-banner"));
    wait(Duration.ofSeconds(15)).until(driver -> "up".equals(banner.getAttribute("data-state")));
    assertThat(banner.isDisplayed()).as("no banner while the store is up").isFalse();

    proxy.freeze();
    try {
      wait(Duration.ofSeconds(20)).until(driver -> banner.isDisplayed());
      screenshot("store-down");
      assertThat(banner.getText()).contains("The store (postgresql) is down").contains("did not complete within");
    } finally {
      proxy.thaw();
    }
    wait(Duration.ofSeconds(30)).until(driver -> !banner.isDisplayed());
  }

  private WebDriverWait wait(Duration timeout) {
    return Chromium.waitOn(browser, timeout);
  }

  private void screenshot(String moment) throws Exception {
    Chromium.screenshot(browser, getClass().getSimpleName() + "-" + moment);
  }
}
