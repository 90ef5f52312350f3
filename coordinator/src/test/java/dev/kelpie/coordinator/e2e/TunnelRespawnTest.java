package dev.kelpie.coordinator.e2e;

import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tunnel service through a real sshd on loopback, judged by the real coordinator: when the sshd's session is
 * killed, ssh exits and the check through the tunnel fails, the coordinator's policy orders the restart (nobody else
 * does), and the tunnel is up again within the check's interval x threshold and a margin.
 */
class TunnelRespawnTest {

  private static final String AGENT = "host-t";
  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final int THRESHOLD = 2;
  /** ssh's start and the forward's first answer, on a machine that runs other tests at once. */
  private static final Duration MARGIN = Duration.ofSeconds(12);

  @TempDir
  Path dir;
  private Fleet fleet;
  private Process sshd;
  private HttpServer web;

  @AfterEach
  void stop() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
    if (sshd != null) {
      sshd.descendants().forEach(ProcessHandle::destroyForcibly);
      sshd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (web != null) {
      web.stop(0);
    }
  }

  @Test
  @DisplayName("the sshd's session killed: the coordinator's policy sees the check through the tunnel fail and "
    + "restarts the tunnel, up again within interval x threshold + a margin")
  void respawnedByThePolicy() throws Exception {
    boolean usable = Files.isExecutable(Path.of("/usr/sbin/sshd")) && Files.isExecutable(Path.of("/usr/bin/ssh"));
    Assumptions.assumeTrue(usable || "true".equals(System.getenv("CI")),
      "openssh-server and openssh-client are needed; skipped");
    web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web.createContext("/", exchange -> {
      byte[] body = "behind the tunnel".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    web.start();
    int sshPort = Fleet.freePort();
    int localPort = Fleet.freePort();
    startSshd(sshPort);
    fleet = new Fleet();
    fleet.startCoordinator(AGENT);
    fleet.startAgent(AGENT, """
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
           interval: %dms, timeout: 1s,
           policy: {failureThreshold: %d, startupGrace: 0s, budget: {restarts: 5, per: 1h},
                    backoff: {initial: 0s, max: 0s}}}
      """.formatted(sshPort, localPort, web.getAddress().getPort(), dir.resolve("user_key"),
      dir.resolve("known_hosts"), localPort, INTERVAL.toMillis(), THRESHOLD));
    fleet.await("the check healthy through the tunnel", Duration.ofSeconds(60),
      () -> "healthy".equals(fleet.state(AGENT, "through")));
    long firstPid = fleet.pid(AGENT, "db-tunnel");

    List<ProcessHandle> sessions = sshd.descendants().toList();
    assertThat(sessions).as("the sshd's session processes").isNotEmpty();
    long killedAt = System.nanoTime();
    sessions.forEach(ProcessHandle::destroyForcibly);
    Duration bound = INTERVAL.multipliedBy(THRESHOLD).plus(MARGIN);
    fleet.await("a new tunnel", bound, () -> {
      Long pid = fleet.pid(AGENT, "db-tunnel");
      return pid != null && pid != firstPid;
    });
    fleet.await("the check healthy through the new tunnel", bound.minusNanos(System.nanoTime() - killedAt),
      () -> "healthy".equals(fleet.state(AGENT, "through")));
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
    assertThat(took).isLessThan(bound);

    JsonObject restart = Fleet.stream(new JsonObject(fleet.get("/api/actions?agent=" + AGENT + "&service=db-tunnel")
        .body()).getJsonArray("items"))
      .filter(a -> "restart".equals(a.getString("action"))).findFirst().orElseThrow();
    // ssh exits at once when its session dies: the tunnel's process check usually sees it first, else the check
    // through the tunnel does; either way a check's policy at the coordinator ordered it, nobody else
    assertThat(restart.getString("issuedBy")).as("ordered by a check's policy").isIn("db-tunnel.process", "through");
    assertThat(restart.getString("reason")).startsWith(restart.getString("issuedBy") + ": ");
    assertThat(restart.getString("status")).isEqualTo("done");
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
      "StrictModes no", "UsePAM no", "AllowTcpForwarding yes", ""));
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
      .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!listening(port)) {
      assertThat(System.nanoTime()).as("sshd to listen on " + port).isLessThan(deadline);
      Fleet.pause(Duration.ofMillis(100));
    }
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
}
