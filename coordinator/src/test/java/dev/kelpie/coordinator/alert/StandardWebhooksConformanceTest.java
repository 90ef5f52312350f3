package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.coordinator.conformance.ThirdPartyTool;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kelpie's alert signatures as the ecosystem checks them: a real coordinator delivers real alerts (an incident's
 * opening, a refused try and its retry under the same id, the recovery) to two receivers, one per accepted secret
 * form, and the official Standard Webhooks library ({@code standardwebhooks} from npm, run by Node) verifies every
 * request the way a receiver's code would; then README.md's Python snippet does the same. Tampered copies must be
 * refused, so a verifier that accepts anything cannot pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandardWebhooksConformanceTest {

  private static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(randomBytes(32));
  private static final String RAW = "raw-ascii-secret-0123456789";
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private final List<JsonObject> deliveries = new ArrayList<>();
  private Path folder;

  @BeforeAll
  void deliverRealAlerts() throws Exception {
    folder = Files.createDirectories(Path.of("target", "conformance", "webhooks").toAbsolutePath());
    try (WebhookReceiver whsecReceiver = new WebhookReceiver(); WebhookReceiver rawReceiver = new WebhookReceiver()) {
      whsecReceiver.answer(500, 1);   // the first try is refused: its retry must verify under the same id
      String yaml = "http: {host: 127.0.0.1, port: 0}\n"
        + "keepalive: {lostAfter: 1h}\n"
        + "alerts:\n"
        + "  receivers:\n"
        + "    - {name: whsec, type: webhook, url: \"" + whsecReceiver.url() + "\", secret: \"" + WHSEC + "\"}\n"
        + "    - {name: raw, type: webhook, url: \"" + rawReceiver.url() + "\", secret: \"" + RAW + "\"}\n"
        + "  group: {window: 200ms}\n"
        + "  retry: {initial: 100ms, max: 200ms, maxAge: 1h}\n";
      CoordinatorConfig config = CoordinatorConfig.fromYaml(yaml, "conformance.yaml", Map.of());
      PrometheusMeterRegistry registry = Coordinator.newRegistry();
      Vertx vertx = Coordinator.newVertx(registry);
      try {
        Coordinator.deploy(vertx, config, Clock.systemUTC(), registry).await();
        vertx.eventBus().request(Addresses.AGENT_HELLO, new AgentHello("a1", "host-a1", "test",
          List.of(new CheckSpec("web", CheckType.HTTP, null, "GET /", reportOnly(), Map.of("team", "pay"))),
          List.of()).toJson()).await();
        report(vertx, 1, false);
        report(vertx, 2, false);
        await("the opening at both receivers", () -> whsecReceiver.accepted().size() == 1
          && rawReceiver.accepted().size() == 1);
        report(vertx, 3, true);
        await("the recovery at both receivers", () -> whsecReceiver.accepted().size() == 2
          && rawReceiver.accepted().size() == 2);
      } finally {
        vertx.close().await();
      }
      whsecReceiver.all().forEach(request -> deliveries.add(delivery(request, WHSEC, "whsec")));
      rawReceiver.all().forEach(request -> deliveries.add(delivery(request, RAW, "raw")));
      assertThat(whsecReceiver.all().get(0).id()).as("the refused try and its retry share an id")
        .isEqualTo(whsecReceiver.all().get(1).id());
    }
    assertThat(deliveries).hasSize(5);
  }

  @Test
  @DisplayName("the official Standard Webhooks library verifies every delivery, retries included, with each secret form")
  void theOfficialLibraryVerifiesEveryDelivery() throws Exception {
    Path node = ThirdPartyTool.require("node", "apt-get install nodejs");
    Path modules = ThirdPartyTool.npmPackage(ThirdPartyTool.STANDARD_WEBHOOKS);
    JsonArray verdicts = verdicts(modules, node, deliveries);
    assertThat(oks(verdicts)).as("verdicts of %s: %s", ThirdPartyTool.STANDARD_WEBHOOKS, verdicts)
      .hasSize(deliveries.size()).containsOnly(true);
    JsonArray tampered = verdicts(modules, node, tampered());
    assertThat(oks(tampered)).as("tampered copies: %s", tampered).hasSize(deliveries.size()).containsOnly(false);
  }

  @Test
  @DisplayName("README's verify-by-hand snippet accepts every delivery with each secret form, and no tampered copy")
  void theReadmeSnippetVerifiesEveryDelivery() throws Exception {
    Path python = ThirdPartyTool.require("python3", "apt-get install python3");
    Path snippet = folder.resolve("readme-snippet.txt");
    Files.writeString(snippet, readmeSnippet());
    Path harness = folder.resolve("readme-snippet.py");
    Files.copy(resource("readme-snippet.py"), harness, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    JsonArray verdicts = run(python, harness, snippet, deliveries);
    assertThat(oks(verdicts)).as("README snippet's verdicts: %s", verdicts).hasSize(deliveries.size())
      .containsOnly(true);
    JsonArray tampered = run(python, harness, snippet, tampered());
    assertThat(oks(tampered)).as("tampered copies: %s", tampered).hasSize(deliveries.size()).containsOnly(false);
  }

  private JsonArray verdicts(Path modules, Path node, List<JsonObject> cases) throws Exception {
    Path script = folder.resolve("standardwebhooks-verify.cjs");
    Files.copy(resource("standardwebhooks-verify.cjs"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path input = Files.writeString(folder.resolve("deliveries.json"), new JsonArray(cases).encode());
    ThirdPartyTool.Run run = ThirdPartyTool.run(Duration.ofSeconds(60), folder,
      Map.of("NODE_PATH", modules.toString()), node.toString(), script.toString(), input.toString());
    assertThat(run.exit()).as(run.output()).isZero();
    return new JsonArray(run.output());
  }

  private JsonArray run(Path python, Path harness, Path snippet, List<JsonObject> cases) throws Exception {
    Path input = Files.writeString(folder.resolve("deliveries.json"), new JsonArray(cases).encode());
    ThirdPartyTool.Run run = ThirdPartyTool.run(Duration.ofSeconds(60), folder, Map.of(), python.toString(),
      harness.toString(), snippet.toString(), input.toString());
    assertThat(run.exit()).as(run.output()).isZero();
    return new JsonArray(run.output().trim());
  }

  private static List<Boolean> oks(JsonArray verdicts) {
    return verdicts.stream().map(verdict -> ((JsonObject) verdict).getBoolean("ok")).toList();
  }

  private List<JsonObject> tampered() {
    return deliveries.stream().map(d -> d.copy().put("body", d.getString("body").replace("web", "wob"))).toList();
  }

  /** The fenced python block after "To verify by hand" in README.md: what readers copy. */
  private static String readmeSnippet() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("```python", readme.indexOf("To verify by"));
    assertThat(at).as("README.md has a python block after 'To verify by hand'").isPositive();
    int start = readme.indexOf('\n', at) + 1;
    return readme.substring(start, readme.indexOf("```", start));
  }

  private static Path resource(String name) throws Exception {
    return Path.of(StandardWebhooksConformanceTest.class.getResource("/conformance/" + name).toURI());
  }

  private static JsonObject delivery(WebhookReceiver.Received request, String secret, String form) {
    return new JsonObject().put("secret", secret).put("form", form).put("id", request.id())
      .put("timestamp", request.timestamp()).put("signature", request.signature()).put("body", request.body());
  }

  private static void report(Vertx vertx, long seq, boolean up) {
    Instant now = Instant.now();
    ProbeResult result = (up ? ProbeResult.up("a1", "web", now, Duration.ofMillis(3), "200 ✓")
      : ProbeResult.down("a1", "web", now, Duration.ofMillis(3), "connection refused — ünïcode")).withSeq(seq);
    vertx.eventBus().request(Addresses.AGENT_REPORTS, new ReportBatch("a1", now, List.of(result)).toJson()).await();
  }

  private static PolicySpec reportOnly() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(d.interval(), d.timeout(), 2, null, 1, Duration.ZERO, false, Duration.ZERO, d.budget(),
      d.backoff(), false);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(PATIENCE);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
      }
      Thread.sleep(25);
    }
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
