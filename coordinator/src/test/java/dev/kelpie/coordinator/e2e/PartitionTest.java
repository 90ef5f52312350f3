package dev.kelpie.coordinator.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A network partition between agent and coordinator, made by iptables dropping every packet of the coordinator's
 * port on loopback (no reset, no close: packets vanish, as when a link or a firewall fails).
 */
class PartitionTest {

  private static final String AGENT = "host-p";

  private static final Path AGENT_JAR = Path.of(System.getProperty("kelpie.agent.jar",
    "../agent/target/kelpie-agent.jar")).toAbsolutePath().normalize();

  private Fleet fleet;
  private Process agent;
  private String port;

  @BeforeEach
  void start() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean usable = iptables("-L", "INPUT", "-n") == 0;
    if (!usable && ci) {
      throw new IllegalStateException("iptables is needed for the partition test (.ci/run installs it; run as root)");
    }
    Assumptions.assumeTrue(usable, "iptables (as root) is needed for the partition test; skipped");
    assertThat(AGENT_JAR).as("the agent's jar (mvn package builds it)").exists();
    fleet = new Fleet();
    fleet.startCoordinator(AGENT);
    // the agent as users run it, with the default reconnect backoff (500 ms doubling up to 30 s) and connect timeout
    Files.createDirectories(fleet.stateDir(AGENT));
    Path config = fleet.stateDir(AGENT).resolveSibling(AGENT + ".yaml");
    Files.writeString(config, "agent: {id: " + AGENT + ", stateDir: \"" + fleet.stateDir(AGENT) + "\"}\n"
      + "coordinator:\n  url: ws://127.0.0.1:" + fleet.coordinatorPort() + "/bus\n  token: " + Fleet.TOKEN + AGENT
      + "\nchecks:\n  - {id: self, type: tcp, host: 127.0.0.1, port: " + fleet.coordinatorPort()
      + ", interval: 200ms}\n");
    agent = new ProcessBuilder("java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", AGENT_JAR.toString(),
      "--config", config.toString()).redirectErrorStream(true)
      .redirectOutput(fleet.stateDir(AGENT).resolveSibling(AGENT + ".log").toFile()).start();
    port = Integer.toString(fleet.coordinatorPort());
  }

  @AfterEach
  void stop() throws Exception {
    heal();
    if (agent != null) {
      agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (fleet != null) {
      fleet.close();
    }
  }

  private static int iptables(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("iptables", "-w", "5"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private void partition() throws Exception {
    assertThat(iptables("-I", "INPUT", "-i", "lo", "-p", "tcp", "--dport", port, "-j", "DROP")).isZero();
    assertThat(iptables("-I", "INPUT", "-i", "lo", "-p", "tcp", "--sport", port, "-j", "DROP")).isZero();
  }

  private void heal() throws Exception {
    if (port == null) {
      return;
    }
    while (iptables("-D", "INPUT", "-i", "lo", "-p", "tcp", "--dport", port, "-j", "DROP") == 0) {
      // every copy of the rule
    }
    while (iptables("-D", "INPUT", "-i", "lo", "-p", "tcp", "--sport", port, "-j", "DROP") == 0) {
      // every copy of the rule
    }
  }

  private long lastSeq() {
    return fleet.agent(AGENT).filter(a -> a.getBoolean("connected", false)).map(a -> a.getLong("lastSeq", 0L))
      .orElse(0L);
  }

  @Test
  @DisplayName("after a 60 s partition the agent (default backoff) is reporting again within 3 s of the heal: "
    + "connects time out in 3 s and one that timed out is followed at once, not after a backoff grown to 30 s")
  void reconnectsSoonAfterTheHeal() throws Exception {
    fleet.await("agent reporting", Duration.ofSeconds(30), () -> lastSeq() > 5);
    long before = lastSeq();

    partition();
    Fleet.pause(Duration.ofSeconds(60));   // the partition's length is the point: attempts start and hang inside it
    heal();
    long healed = System.nanoTime();

    fleet.await("agent reporting after the heal", Duration.ofSeconds(60), () -> lastSeq() > before + 5);
    Duration back = Duration.ofNanos(System.nanoTime() - healed);
    System.out.println("partition healed -> reporting again: " + back.toMillis() + " ms");
    assertThat(back).as("time from the heal to the agent's reports flowing again").isLessThan(Duration.ofSeconds(3));
  }
}
