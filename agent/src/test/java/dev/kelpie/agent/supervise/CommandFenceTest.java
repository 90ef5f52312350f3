package dev.kelpie.agent.supervise;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommandFenceTest {

  @Test
  @DisplayName("while the agent's own restart runs on a service, the coordinator's command for it is refused as busy, "
    + "and the reverse; other services and later commands pass")
  void fence() {
    CommandFence fence = new CommandFence();
    assertThat(fence.enter("demo", true)).isNull();
    assertThat(fence.enter("demo", false)).startsWith("busy: the agent is restarting demo");
    assertThat(fence.enter("other", false)).as("another service").isNull();
    fence.leave("demo", true);
    assertThat(fence.enter("demo", false)).as("after the local restart").isNull();
    assertThat(fence.enter("demo", true)).startsWith("busy: a command of the coordinator");
    assertThat(fence.enter("demo", false)).as("the coordinator's commands queue behind each other as before").isNull();
  }
}
