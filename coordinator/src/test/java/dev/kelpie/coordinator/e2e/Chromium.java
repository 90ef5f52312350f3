package dev.kelpie.coordinator.e2e;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The headless Chromium the browser tests drive (Debian's {@code chromium} and {@code chromium-driver}, or those named
 * by {@code -Dkelpie.chromium} and {@code -Dkelpie.chromedriver}): skipped with the reason where it is missing, and
 * under {@code CI} a failure instead.
 */
final class Chromium {

  static final Path BINARY = Path.of(System.getProperty("kelpie.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("kelpie.chromedriver", "/usr/bin/chromedriver"));

  private Chromium() {
  }

  /** Aborts the test where no browser is installed; under CI a missing browser fails it. */
  static void required() {
    boolean present = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
    String why = "no " + BINARY + " or " + DRIVER + ": apt-get install chromium chromium-driver";
    if (!present && System.getenv("CI") != null) {
      throw new AssertionError("browser tests need Debian's chromium and chromium-driver (" + why + ")");
    }
    if (!present) {
      Assumptions.abort(why);
    }
  }

  static WebDriver start() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-quic", "--window-size=1400,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
      .usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** A wait that polls every 100 ms and looks again when the page redrew what it was looking at. */
  static WebDriverWait waitOn(WebDriver browser, Duration timeout) {
    WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(100));
    wait.ignoring(NoSuchElementException.class).ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** {@code target/screenshots/<name>.png}. */
  static void screenshot(WebDriver browser, String name) throws IOException {
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", "screenshots", name + ".png");
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
