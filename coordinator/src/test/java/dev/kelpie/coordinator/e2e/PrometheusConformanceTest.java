package dev.kelpie.coordinator.e2e;

import dev.kelpie.coordinator.conformance.ThirdPartyTool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both programs' live /metrics as Prometheus' own linter reads them: {@code promtool check metrics} (Debian's
 * {@code prometheus} package) must find nothing to say about any {@code kelpie_*} metric. Findings about Vert.x's and
 * the JVM's meters are printed, not failed on: they are those libraries' names. Then what a dashboard or an alert
 * rule relies on before the first event: every labelled counter present at zero, latencies as histograms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusConformanceTest {

  private static final String AGENT = "prom-host";

  private final HttpClient http = HttpClient.newHttpClient();
  private Fleet fleet;
  private String coordinatorMetrics;
  private String agentMetrics;

  @BeforeAll
  void start() throws Exception {
    fleet = new Fleet();
    int demoPort = Fleet.freePort();
    fleet.store("alerts:\n  receivers:\n    - {name: hook, type: webhook, url: \"http://127.0.0.1:9/hook\", "
      + "secret: \"whsec_MDEyMzQ1Njc4OWFiY2RlZg==\"}\n");
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, "metrics: {port: 0}\n"
      + "services:\n  - name: demo\n    command: " + fleet.demoCommand(demoPort) + "\n    port: " + demoPort + "\n"
      + "checks:\n  - {id: demo-http, type: http, service: demo, url: \"http://127.0.0.1:" + demoPort + "/health\", "
      + "interval: 300ms}\n");
    fleet.await("healthy", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "demo-http")));
    coordinatorMetrics = fleet.get("/metrics").body();
    agentMetrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fleet.agentMetricsPort()
      + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @AfterAll
  void stop() {
    fleet.close();
  }

  @Test
  @DisplayName("promtool check metrics finds nothing to say about any kelpie_ metric of the coordinator or the agent")
  void promtoolFindsNoKelpieProblem() throws Exception {
    Path promtool = ThirdPartyTool.require("promtool", "apt-get install prometheus");
    assertThat(kelpieFindings(promtool, "coordinator", coordinatorMetrics)).as("coordinator findings").isEmpty();
    assertThat(kelpieFindings(promtool, "agent", agentMetrics)).as("agent findings").isEmpty();
  }

  @Test
  @DisplayName("labelled counters exist at zero for every value they can take, before their first event")
  void countersStartAtZero() {
    assertThat(coordinatorMetrics).contains(
      "kelpie_commands_total{action=\"stop\",outcome=\"done\"} 0.0",
      "kelpie_commands_total{action=\"kill\",outcome=\"unanswered\"} 0.0",
      "kelpie_commands_sent_total{action=\"stop\"} 0.0",
      "kelpie_decisions_total{decision=\"give_up\"} 0.0",
      "kelpie_alerts_raised_total{kind=\"gave_up\"} 0.0",
      "kelpie_alert_deliveries_total{outcome=\"dead\",receiver=\"hook\"} 0.0");
    assertThat(coordinatorMetrics).as("a command is counted sent in its own metric, not as an outcome")
      .doesNotContain("outcome=\"sent\"");
    assertThat(agentMetrics).as("both outcomes of a check, whether or not it was ever down")
      .containsPattern("kelpie_agent_probe_seconds_count\\{check=\"demo-http\",outcome=\"down\"} [0-9]")
      .contains("kelpie_agent_reports_dropped_total 0.0");
  }

  @Test
  @DisplayName("latencies are histograms with buckets, which sum across coordinators, not summaries of quantiles")
  void latenciesAreHistograms() {
    assertThat(coordinatorMetrics).contains("# TYPE kelpie_store_commit_seconds histogram",
      "kelpie_store_commit_seconds_bucket{le=\"0.1\"}", "# TYPE kelpie_store_decision_commit_seconds histogram")
      .doesNotContain("kelpie_store_commit_seconds{quantile");
    assertThat(agentMetrics).contains("# TYPE kelpie_agent_probe_seconds histogram",
      "kelpie_agent_probe_seconds_bucket{check=\"demo-http\",outcome=\"up\",le=\"0.1\"}");
  }

  /** promtool's lines about kelpie_ metrics; the others are printed for whoever reads the test's output. */
  private static List<String> kelpieFindings(Path promtool, String program, String metrics) throws Exception {
    Path folder = Files.createDirectories(Path.of("target", "conformance", "promtool").toAbsolutePath());
    Path exposition = Files.writeString(folder.resolve(program + ".prom"), metrics);
    ThirdPartyTool.Run run = ThirdPartyTool.run(Duration.ofSeconds(30), folder, Map.of(), exposition,
      promtool.toString(), "check", "metrics");
    assertThat(run.output()).as("promtool could parse the exposition").doesNotContain("error while linting");
    List<String> lines = Arrays.stream(run.output().split("\n")).filter(line -> !line.isBlank()).toList();
    lines.stream().filter(line -> !line.contains("kelpie_"))
      .forEach(line -> System.out.println("promtool (" + program + ", not Kelpie's): " + line));
    return lines.stream().filter(line -> line.contains("kelpie_")).toList();
  }
}
