package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CommandGateTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static Command command(String id, long epoch, Instant expiresAt) {
    return new Command(id, "a", "svc", Action.RESTART, "test", NOW.minusSeconds(1), expiresAt, epoch);
  }

  @Test
  @DisplayName("a command runs once; expired ones and ones from an older epoch are refused")
  void gate() {
    CommandGate gate = new CommandGate();
    gate.epoch(10);
    assertThat(gate.admit(command("1", 10, NOW.plusSeconds(5)), NOW)).isNull();
    assertThat(gate.admit(command("1", 10, NOW.plusSeconds(5)), NOW)).isEqualTo(CommandStatus.DUPLICATE);
    assertThat(gate.admit(command("2", 10, NOW.minusMillis(1)), NOW)).isEqualTo(CommandStatus.EXPIRED);
    assertThat(gate.admit(command("3", 9, NOW.plusSeconds(5)), NOW)).isEqualTo(CommandStatus.STALE_EPOCH);
  }

  @Test
  @DisplayName("once a newer coordinator has spoken, the replaced one can order nothing")
  void newerEpochWins() {
    CommandGate gate = new CommandGate();
    gate.epoch(10);
    assertThat(gate.admit(command("1", 11, NOW.plusSeconds(5)), NOW)).isNull();
    assertThat(gate.admit(command("2", 10, NOW.plusSeconds(5)), NOW)).isEqualTo(CommandStatus.STALE_EPOCH);
  }
}
