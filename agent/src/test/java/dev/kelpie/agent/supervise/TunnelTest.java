package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.probe.ProbeVerticle;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.agent.metrics.AgentMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tunnel service through a real sshd on loopback, run by the test on a free port with its own config and keys,
 * to an HTTP server of the test's: the check passes through the tunnel, and when the sshd's session is killed the
 * tunnel is spawned again and the check passes again.
 */
@ExtendWith(VertxExtension.class)
class TunnelTest {

  @TempDir
  Path dir;
  private SupervisorHarness harness;
  private Process sshd;

  @AfterEach
  void tearDown() throws Exception {
    if (harness != null) {
      harness.killEverything();
    }
    if (sshd != null) {
      sshd.descendants().forEach(ProcessHandle::destroyForcibly);
      sshd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("the tunnel comes up and the HTTP check passes through it; the sshd's session killed, ssh exits at "
    + "once, and the tunnel restarted, the check passes again")
  void tunnelRespawned(Vertx vertx) throws Exception {
    boolean usable = Files.isExecutable(Path.of("/usr/sbin/sshd")) && Files.isExecutable(Path.of("/usr/bin/ssh"));
    Assumptions.assumeTrue(usable || "true".equals(System.getenv("CI")),
      "openssh-server and openssh-client are needed; skipped");
    HttpServer web = vertx.createHttpServer().requestHandler(request -> request.response().end("behind the tunnel"));
    int webPort = SupervisorHarness.get(web.listen(0, "127.0.0.1")).actualPort();
    int sshPort = freePort();
    int localPort = freePort();
    startSshd(sshPort);

    AgentConfig config = AgentConfig.fromYaml("""
      agent: {id: agent-test}
      coordinator: {url: "ws://127.0.0.1:1/bus", token: t}
      services:
        - name: db-tunnel
          tunnel:
            remote: root@127.0.0.1
            port: %d
            forwards: ["%d:127.0.0.1:%d"]
            identityFile: "%s"
            knownHostsFile: "%s"
            serverAliveInterval: 1s
          restart: {backoff: {initial: 200ms, max: 1s}}
      checks:
        - {id: through, type: http, service: db-tunnel, url: "http://127.0.0.1:%d/", expectBody: behind,
           interval: 300ms, timeout: 2s}
      """.formatted(sshPort, localPort, webPort, dir.resolve("user_key"), dir.resolve("known_hosts"), localPort),
      "agent.yaml", Map.of());
    assertThat(config.services().get(0).command()).contains("-N", "ExitOnForwardFailure=yes", "BatchMode=yes",
      "ServerAliveInterval=1", "-L", "127.0.0.1:" + localPort + ":127.0.0.1:" + webPort, "root@127.0.0.1");

    harness = new SupervisorHarness(vertx, dir.resolve("state"));
    harness.deploy(config.services());
    ProcessEvent started = harness.awaitEvent("db-tunnel", ProcessEventType.STARTED);
    SupervisorHarness.get(vertx.deployVerticle(new ProbeVerticle(SupervisorHarness.AGENT, config.checks(),
      Clock.systemUTC(), AgentMetrics.NONE)));
    SupervisorHarness.await(() -> lastUp(harness.results), "the check to pass through the tunnel: " + harness.results);

    List<ProcessHandle> sessions = sshd.descendants().toList();
    assertThat(sessions).as("the sshd's session processes").isNotEmpty();
    sessions.forEach(ProcessHandle::destroyForcibly);
    ProcessEvent exited = harness.awaitEvent(event -> event.service().equals("db-tunnel")
      && event.type() == ProcessEventType.EXITED);
    assertThat(exited.pid()).isEqualTo(started.pid());
    assertThat(exited.exitCode()).as("ssh's exit when its session is gone").isEqualTo(255);
    // the restart is the policy's decision (the coordinator's, on the process check), made here as it would be
    assertThat(harness.command("db-tunnel", Action.RESTART).status()).isEqualTo(CommandStatus.DONE);
    ProcessEvent again = harness.awaitEvent(event -> event.service().equals("db-tunnel")
      && event.type() == ProcessEventType.STARTED && event.pid() != started.pid());
    int seen = harness.results.size();
    SupervisorHarness.await(() -> harness.results.size() > seen && lastUp(harness.results),
      "the check to pass through the new tunnel (pid " + again.pid() + "): " + harness.results);
  }

  private static boolean lastUp(List<ProbeResult> results) {
    return !results.isEmpty() && results.get(results.size() - 1).outcome() == Outcome.UP;
  }

  private void startSshd(int port) throws Exception {
    Files.createDirectories(Path.of("/run/sshd"));
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user_key").toString());
    Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
    Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
      + Files.readString(dir.resolve("host_key.pub")));
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
      "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
      "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PidFile " + dir.resolve("sshd.pid"),
      "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
      "StrictModes no", "UsePAM no", "AllowTcpForwarding yes", "") );
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
      .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    SupervisorHarness.await(() -> listening(port), "sshd to listen on " + port);
  }

  private static boolean listening(int port) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as(String.join(" ", command))
      .isTrue();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
