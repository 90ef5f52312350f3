package dev.kelpie.shared.message;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host manager's own view of a service travels additively: older agents and coordinators read as before. */
class ManagerViewMessagesTest {

  private static final Instant AT = Instant.ofEpochMilli(1_700_000_000_000L);
  private static final ServiceInfo.Manager SUPERVISORD = new ServiceInfo.Manager("supervisord",
    "supervisord program demo at unix:///run/supervisor.sock");

  @Test
  @DisplayName("a service's manager with its state, pid, exit status, time and problem reads back the same")
  void serviceInfoRoundTrips() {
    ServiceInfo info = new ServiceInfo("demo", true, 1234L, AT, 8080, SUPERVISORD.saying("RUNNING", 1234L, null, AT));
    ServiceInfo failing = info.withManager(info.manager().failing("supervisord program demo is unreachable: refused"));

    assertThat(ServiceInfo.fromJson(new JsonObject(info.toJson().encode()))).isEqualTo(info);
    assertThat(ServiceInfo.fromJson(new JsonObject(failing.toJson().encode()))).isEqualTo(failing);
    assertThat(info.toJson().getJsonObject("manager")).isEqualTo(new JsonObject().put("type", "supervisord")
      .put("target", SUPERVISORD.target()).put("state", "RUNNING").put("pid", 1234L).put("seenAt", AT.toEpochMilli()));
    assertThat(info.manager().says()).isEqualTo("supervisord: RUNNING (pid 1234)");
    assertThat(SUPERVISORD.saying("EXITED", null, 3, AT).says()).isEqualTo("supervisord: EXITED (exit status 3)");
    assertThat(failing.manager().says()).isEqualTo("supervisord program demo is unreachable: refused");
  }

  @Test
  @DisplayName("an older agent's manager (type and target only) reads with no view; one with none stays without")
  void olderAgents() {
    JsonObject older = new JsonObject().put("name", "demo").put("wanted", true)
      .put("manager", new JsonObject().put("type", "docker").put("target", "docker container api"));

    ServiceInfo read = ServiceInfo.fromJson(older);

    assertThat(read.manager()).isEqualTo(new ServiceInfo.Manager("docker", "docker container api"));
    assertThat(read.manager().says()).isNull();
    assertThat(read.manager().toJson().fieldNames()).containsExactlyInAnyOrder("type", "target");
    assertThat(read.withManager(null)).isSameAs(read);
  }

  @Test
  @DisplayName("a process event carries the manager's view when there is one, and is the same on the wire without")
  void processEvent() {
    ProcessEvent plain = ProcessEvent.exited("a", "demo", AT, 1234, 137, null, "gone").withSeq(5);
    ProcessEvent viewed = plain.withManager(SUPERVISORD.saying("EXITED", null, 137, AT));

    assertThat(plain.toJson().containsKey("manager")).isFalse();
    assertThat(Report.fromJson(new JsonObject(viewed.toJson().encode()))).isEqualTo(viewed);
    assertThat(viewed.withSeq(6).manager()).isEqualTo(viewed.manager());
    assertThat(ProcessEvent.fromJson(plain.toJson()).manager()).isNull();
    assertThatThrownBy(() -> ProcessEvent.fromJson(viewed.toJson().put("manager", "RUNNING")))
      .isInstanceOf(MessageFormatException.class).hasMessageContaining("manager");
    assertThatThrownBy(() -> ProcessEvent.fromJson(viewed.toJson().put("manager", new JsonObject().put("type", "x"))))
      .isInstanceOf(MessageFormatException.class).hasMessageContaining("manager.target");
  }

  @Test
  @DisplayName("a hello lists services with their manager's view")
  void hello() {
    AgentHello hello = new AgentHello("a", "h", "1", List.of(), List.of(new ServiceInfo("demo", true, null, null, null,
      SUPERVISORD.saying("STOPPED", null, 0, AT))));

    assertThat(AgentHello.fromJson(new JsonObject(hello.toJson().encode()))).isEqualTo(hello);
  }
}
