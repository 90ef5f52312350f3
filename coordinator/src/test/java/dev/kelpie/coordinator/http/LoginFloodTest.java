package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A login flood from many addresses on this machine (127.0.0.x) against a real coordinator: the flooding addresses
 * are throttled (429, Retry-After, no password checked), even with the right password, while the right password from
 * an address with a clean record logs in at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginFloodTest {

  private static final Pattern XSRF = Pattern.compile("XSRF-TOKEN=([^;]+)");

  private Vertx vertx;
  private int port;

  @BeforeAll
  void start() throws Exception {
    // cost 4: the test is about throttling, not bcrypt's speed on a machine shared with other builds
    String hash = at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hashToString(4, "olga-password".toCharArray());
    CoordinatorConfig config = CoordinatorConfig.fromYaml("http: {host: 127.0.0.1, port: 0}\naccess:\n"
      + "  secureCookies: false\n  users:\n    - {name: olga, role: operator, passwordHash: \"" + hash + "\"}\n",
      "login-flood.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    vertx = Coordinator.newVertx(registry);
    port = Coordinator.deploy(vertx, config, Clock.systemUTC(), registry).await().port();
  }

  @AfterAll
  void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("a login flood is throttled per address and per user; the right password from another address works at once")
  void floodThrottledOperatorStillLogsIn() throws Exception {
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    ExecutorService flood = Executors.newFixedThreadPool(8);
    List<java.util.concurrent.Future<?>> clients = new ArrayList<>();
    for (int client = 0; client < 8; client++) {
      String from = "127.0.0." + (10 + client);
      clients.add(flood.submit(() -> {
        for (int attempt = 0; attempt < 6; attempt++) {
          statuses.add(login(from, "olga", "guess-" + attempt).status());
        }
      }));
    }
    flood.shutdown();
    for (java.util.concurrent.Future<?> client : clients) {
      client.get(120, TimeUnit.SECONDS);
    }
    long checked = statuses.stream().filter(status -> status == 401).count();
    long throttled = statuses.stream().filter(status -> status == 429).count();
    assertThat(checked + throttled).as(statuses.toString()).isEqualTo(48);
    assertThat(throttled).as("attempts refused without a password check").isGreaterThanOrEqualTo(8);

    long started = System.nanoTime();
    RawHttp.Response refused = login("127.0.0.10", "olga", "olga-password");
    assertThat(refused.status()).as("the right password from a flooding address").isEqualTo(429);
    assertThat(refused.headers()).containsKey("retry-after");
    assertThat(refused.body()).contains("too many failed logins");

    started = System.nanoTime();
    RawHttp.Response operator = login("127.0.0.99", "olga", "olga-password");
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(operator.status()).as(operator.body()).isEqualTo(200);
    assertThat(operator.body()).contains("\"user\":\"olga\"");
    assertThat(tookMillis).as("no lockout, no wait: one bcrypt check").isLessThan(3000);
  }

  /** As a browser logs in: fetch the CSRF cookie, then post the credentials with it. */
  private RawHttp.Response login(String from, String user, String password) {
    try {
      RawHttp.Response session = RawHttp.send(from, port, "GET", "/api/session", "127.0.0.1", null);
      String setCookies = String.valueOf(session.headers().get("set-cookie"));
      Matcher token = XSRF.matcher(setCookies);
      if (!token.find()) {
        throw new AssertionError("no CSRF cookie in " + session);
      }
      String cookies = String.join("; ", setCookies.lines().map(line -> line.split(";", 2)[0]).toList());
      return RawHttp.send(from, port, "POST", "/api/session", "127.0.0.1",
        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}",
        "Cookie: " + cookies, "X-XSRF-TOKEN: " + token.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
