package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real streaming replica: the test makes a primary of its own (initdb, on a free port, as the postgres user) and
 * a standby of it with {@code pg_basebackup -R}, then pauses the standby's replay while the primary writes.
 */
class ReplicationProbeTest {

  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private final List<Path> running = new ArrayList<>();
  private Path dir;
  private ProbeHarness harness;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    for (Path data : running) {
      asPostgres("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }
    if (dir != null) {
      run(List.of("rm", "-rf", dir.toString()));
    }
  }

  @Test
  @DisplayName("primary and standby are healthy while streaming; once the standby's replay is paused and the primary "
    + "writes, the standby's check fails with the lag named, and the primary's names its standby's lag")
  void pausedReplay() throws Exception {
    boolean usable = Files.isExecutable(BIN.resolve("initdb")) && run(List.of("id", "postgres")) == 0
      && run(List.of("runuser", "--help")) == 0;
    Assumptions.assumeTrue(usable || "true".equals(System.getenv("CI")),
      "PostgreSQL 15's binaries and the postgres user are needed; skipped");
    dir = Files.createTempDirectory("kelpie-replication");
    assertThat(run(List.of("chown", "postgres", dir.toString()))).isZero();
    Path primary = dir.resolve("primary");
    Path standby = dir.resolve("standby");
    int primaryPort = freePort();
    int standbyPort = freePort();
    assertThat(asPostgres("initdb", "-D", primary.toString(), "-U", "postgres", "--auth=trust", "--no-sync")).isZero();
    start(primary, primaryPort);
    assertThat(asPostgres("pg_basebackup", "-h", "127.0.0.1", "-p", Integer.toString(primaryPort), "-U", "postgres",
      "-D", standby.toString(), "-R", "-X", "stream", "--no-sync")).isZero();
    start(standby, standbyPort);

    harness = new ProbeHarness("checks:\n"
      + "  - {id: primary, type: replication, role: primary, database: \"postgresql://127.0.0.1:" + primaryPort
      + "/postgres\", maxLagBytes: 1MB, interval: 300ms, timeout: 10s}\n"
      + "  - {id: standby, type: replication, role: standby, database: \"jdbc:postgresql://127.0.0.1:" + standbyPort
      + "/postgres?user=postgres\", maxLag: 1h, interval: 300ms, timeout: 10s}\n");
    harness.awaitResults("standby", list -> last(list).up());
    assertThat(last(harness.of("standby")).detail()).startsWith("standby, replay lag ");
    ProbeResult healthyPrimary = last(harness.awaitResults("primary", list -> last(list).up()));
    assertThat(healthyPrimary.detail()).matches("primary; walreceiver streaming, lag .*");

    vertx = Vertx.vertx();
    Pool onStandby = pool(standbyPort);
    Pool onPrimary = pool(primaryPort);
    onStandby.query("SELECT pg_wal_replay_pause()").execute().await();
    onPrimary.query("CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g")
      .execute().await();

    ProbeResult paused = last(harness.awaitResults("standby", list -> !last(list).up()
      && !last(list).detail().contains("lag 0 B")));
    assertThat(paused.detail()).matches("replay is paused; standby, replay lag [0-9.]+ (KiB|MiB) / .*");
    ProbeResult lagging = last(harness.awaitResults("primary", list -> !last(list).up()));
    assertThat(lagging.detail()).matches("walreceiver lag over 1\\.0 MiB \\(primary; walreceiver streaming, lag "
      + "[0-9.]+ MiB / .*\\)");

    onStandby.query("SELECT pg_wal_replay_resume()").execute().await();
    harness.awaitResults("standby", list -> last(list).up());
    harness.awaitResults("primary", list -> last(list).up());
  }

  private Pool pool(int port) {
    return PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(port)
      .setDatabase("postgres").setUser("postgres")).using(vertx).build();
  }

  private void start(Path data, int port) throws Exception {
    assertThat(asPostgres("pg_ctl", "-D", data.toString(), "-l", data + ".log", "-w", "-t", "60", "-o",
      "-p " + port + " -k " + data + " -c listen_addresses=127.0.0.1 -c fsync=off", "start")).isZero();
    running.add(data);
  }

  private static ProbeResult last(List<ProbeResult> results) {
    return results.get(results.size() - 1);
  }

  private static int asPostgres(String program, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", BIN.resolve(program).toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private static int run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).inheritIO().start();
    return process.waitFor(120, TimeUnit.SECONDS) ? process.exitValue() : -1;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
