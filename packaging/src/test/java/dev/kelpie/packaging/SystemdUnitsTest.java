package dev.kelpie.packaging;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The systemd units")
class SystemdUnitsTest {

  private static final Path UNITS = Path.of("src/systemd");

  @Test
  @DisplayName("pass systemd-analyze verify without a word")
  void verify() throws Exception {
    Tools.require("systemd-analyze", "systemd");
    Tools.Run run = Tools.run(List.of("systemd-analyze", "verify", "--man=no",
      UNITS.resolve("kelpie-agent.service").toAbsolutePath().toString(),
      UNITS.resolve("kelpie-coordinator.service").toAbsolutePath().toString()));
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).as("warnings, e.g. unknown keys").isBlank();
  }

  @Test
  @DisplayName("restart always, count exit 143 (SIGTERM) as success, and leave the agent's services running")
  void restartAndStopSettings() throws Exception {
    String agent = Files.readString(UNITS.resolve("kelpie-agent.service"));
    String coordinator = Files.readString(UNITS.resolve("kelpie-coordinator.service"));
    for (String unit : List.of(agent, coordinator)) {
      assertThat(unit).contains("\nRestart=always\n").contains("\nSuccessExitStatus=143\n")
        .contains("/usr/share/kelpie/").contains("--config /etc/kelpie/");
    }
    assertThat(agent).contains("\nKillMode=process\n").contains("\nStateDirectory=kelpie\n")
      .as("nothing that keeps the agent from seeing or signalling its services")
      .doesNotContain("\nProtectProc=").doesNotContain("\nPrivateUsers=").doesNotContain("\nNoNewPrivileges=")
      .doesNotContain("\nCapabilityBoundingSet=");
    assertThat(coordinator).doesNotContain("KillMode=").contains("\nUser=kelpie\n")
      .contains("\nNoNewPrivileges=yes\n").contains("\nProtectSystem=strict\n")
      .as("a state directory of its own for the decision journal").contains("\nStateDirectory=kelpie-coordinator\n")
      .as("started by its launcher, which bounds its memory").contains("\nExecStart=/bin/bash /usr/bin/kelpie-coordinator ");
  }
}
