package dev.kelpie.agent.supervise;

import dev.kelpie.agent.supervise.manager.ManagedState;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.rules.AgentRules;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ManagerWordTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ServiceInfo.Manager DOCKER = new ServiceInfo.Manager("docker", "docker container api");

  @Test
  @DisplayName("the view is what the manager said last, then why it could not be asked, until it answers again")
  void view() {
    ManagerWord word = new ManagerWord(DOCKER);
    assertThat(word.view()).isEqualTo(DOCKER);

    assertThat(word.answered(new ManagedState(42L, "running", null), T0)).as("no problem before").isFalse();
    ServiceInfo.Manager running = word.view();
    assertThat(word.failed("docker container api is unreachable: no socket")).isTrue();
    assertThat(word.failed("docker container api is unreachable: no socket")).as("the same again is no news").isFalse();
    ServiceInfo.Manager failing = word.view();
    assertThat(word.answered(new ManagedState(null, "exited", 137), T0.plusSeconds(1))).isTrue();

    assertThat(running.says()).isEqualTo("docker: running (pid 42)");
    assertThat(failing.state()).as("what it said last stays").isEqualTo("running");
    assertThat(failing.says()).isEqualTo("docker container api is unreachable: no socket");
    assertThat(word.view()).isEqualTo(DOCKER.saying("exited", null, 137, T0.plusSeconds(1)));
  }

  @Test
  @DisplayName("asking again with the same answer is not news; another state, pid or problem is")
  void newer() {
    ManagerWord word = new ManagerWord(DOCKER);
    word.answered(new ManagedState(42L, "running", null), T0);
    ServiceInfo.Manager shown = word.view();

    word.answered(new ManagedState(42L, "running", null), T0.plusSeconds(5));
    boolean sameAgain = word.newerThan(shown);
    word.answered(new ManagedState(43L, "running", null), T0.plusSeconds(6));

    assertThat(sameAgain).isFalse();
    assertThat(word.newerThan(shown)).isTrue();
    assertThat(word.newerThan(null)).isTrue();
  }

  @Test
  @DisplayName("a manager's long words are cut to what the coordinator takes")
  void clamped() {
    ManagerWord word = new ManagerWord(DOCKER);
    word.answered(new ManagedState(42L, "x".repeat(500), null), T0);
    ServiceInfo.Manager state = word.view();
    word.failed("y".repeat(70_000));

    assertThat(state.state()).hasSize(128).endsWith("...");
    assertThat(word.view().problem()).hasSize(65_536);
    assertThat(AgentRules.service(new ServiceInfo("api", true, 42L, T0, null, word.view()))).isEmpty();
  }
}
