package dev.kelpie.agent;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The agent's command line read without picocli names the same file picocli would, or is left to picocli. */
class AgentMainTest {

  private static Path picocliReads(String... args) {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs(args);
    return main.config;
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"", "--config /etc/kelpie/agent.yaml", "--config=/etc/kelpie/agent.yaml",
    "--config agent.yaml", "--config=config/agent.yaml", "--config a=b.yaml"})
  @DisplayName("a command line that only names the config file is read as picocli reads it")
  void onlyTheFile(String line) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    assertThat(AgentMain.configOnly(args)).isNotNull().isEqualTo(picocliReads(args));
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"--help", "-h", "--version", "-V", "--config", "--config=", "--config -h",
    "--config @args.txt", "@args.txt", "--config a.yaml --config b.yaml", "--conf a.yaml", "a.yaml",
    "--config a.yaml extra"})
  @DisplayName("help, version, argument files and mistakes are left to picocli")
  void anythingElse(String line) {
    assertThat(AgentMain.configOnly(line.split(" "))).isNull();
  }
}
