package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A service the host's own manager runs is shown with that manager, whatever happens to its process. */
class ServiceManagerShownTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  @DisplayName("the manager announced in the hello stays on the service through an exit and a start")
  void managerShown() {
    FleetState fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd",
      Duration.ofSeconds(90), FleetMetrics.NONE);
    ServiceInfo.Manager manager = new ServiceInfo.Manager("supervisord",
      "supervisord program demo at unix:///run/supervisor.sock");
    fleet.hello(new AgentHello("a", "host-a", "1", List.of(),
      List.of(new ServiceInfo("demo", true, 100L, T0, 8081, manager), new ServiceInfo("own", true, 200L, T0, null))),
      T0);
    fleet.reports(new ReportBatch("a", T0, List.of(
      new ProcessEvent("a", 1, "demo", T0, ProcessEventType.EXITED, 100, 3, null, null, "EXITED").withSeq(1),
      new ProcessEvent("a", 2, "demo", T0, ProcessEventType.STARTED, 300, null, null, "c1", "started").withSeq(2))),
      T0);

    JsonObject demo = fleet.snapshot(T0, null, true).getJsonArray("agents").getJsonObject(0).getJsonArray("services")
      .getJsonObject(0);
    JsonObject own = fleet.snapshot(T0, null, true).getJsonArray("agents").getJsonObject(0).getJsonArray("services")
      .getJsonObject(1);

    assertThat(demo.getLong("pid")).isEqualTo(300L);
    assertThat(demo.getJsonObject("manager")).isEqualTo(new JsonObject().put("type", "supervisord")
      .put("target", "supervisord program demo at unix:///run/supervisor.sock"));
    assertThat(ServiceInfo.fromJson(demo).manager()).isEqualTo(manager);
    assertThat(own.containsKey("manager")).isFalse();
  }

  @Test
  @DisplayName("the manager's own view comes with each event that carries one, and stays through events without")
  void managerView() {
    FleetState fleet = new FleetState(7, Duration.ofSeconds(30), Duration.ofSeconds(60), () -> "cmd",
      Duration.ofSeconds(90), FleetMetrics.NONE);
    ServiceInfo.Manager manager = new ServiceInfo.Manager("docker", "docker container api");
    fleet.hello(new AgentHello("a", "host-a", "1", List.of(),
      List.of(new ServiceInfo("api", true, 100L, T0, null, manager.saying("running", 100L, null, T0)))), T0);
    Instant later = T0.plusSeconds(5);
    fleet.reports(new ReportBatch("a", later, List.of(
      new ProcessEvent("a", 1, "api", later, ProcessEventType.EXITED, 100, 137, null, null, "die")
        .withManager(manager.saying("exited", null, 137, later)).withSeq(1))), later);
    JsonObject exited = api(fleet, later);
    fleet.reports(new ReportBatch("a", later, List.of(
      new ProcessEvent("a", 2, "api", later, ProcessEventType.STARTED, 300, null, null, "c1", "older agent")
        .withSeq(2))), later);
    JsonObject started = api(fleet, later);

    assertThat(exited.containsKey("pid")).isFalse();
    assertThat(exited.getJsonObject("manager")).isEqualTo(new JsonObject().put("type", "docker")
      .put("target", "docker container api").put("state", "exited").put("exitCode", 137)
      .put("seenAt", later.toEpochMilli()));
    assertThat(started.getLong("pid")).isEqualTo(300L);
    assertThat(started.getJsonObject("manager").getString("state")).as("kept from the last event that had it")
      .isEqualTo("exited");
  }

  private static JsonObject api(FleetState fleet, Instant now) {
    return fleet.snapshot(now, null, true).getJsonArray("agents").getJsonObject(0).getJsonArray("services")
      .getJsonObject(0);
  }
}
