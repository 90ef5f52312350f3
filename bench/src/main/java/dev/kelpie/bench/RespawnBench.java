package dev.kelpie.bench;

import dev.kelpie.agent.Agent;
import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.coordinator.Coordinator;
import dev.kelpie.coordinator.config.CoordinatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A supervised service killed -9, again and again: how long until its new process exists (Kelpie's part) and until it
 * listens (the service's own start added), first with the coordinator deciding, then with the coordinator gone and
 * the agent deciding alone. Coordinator, agent and service run on this host, in-process for the two programs.
 */
@Command(name = "respawn-bench", mixinStandardHelpOptions = true)
public final class RespawnBench implements Callable<Integer> {

  @Option(names = "--crashes", defaultValue = "20", description = "crashes per mode (default ${DEFAULT-VALUE})")
  int crashes;

  @Option(names = "--service", description = "the service's command, with {port} for its port (default: a Python "
    + "listener, python3 -c ...)")
  String service;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RespawnBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    int port = freePort();
    int coordinatorPort = freePort();
    Path state = Files.createTempDirectory("kelpie-respawn");
    String command = service != null ? service.replace("{port}", Integer.toString(port))
      : "[python3, -c, \"import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);"
        + " s.bind(('127.0.0.1', " + port + ")); s.listen(); time.sleep(1e6)\"]";
    CoordinatorConfig coordinatorConfig = CoordinatorConfig.fromYaml("http: {host: 127.0.0.1, port: "
      + coordinatorPort + "}\nagents:\n  - {id: bench, token: bench-token}\naccess: {localViewing: true}\n",
      "respawn-bench.yaml", Map.of());
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    Vertx coordinatorVertx = Coordinator.newVertx(registry);
    Coordinator.deploy(coordinatorVertx, coordinatorConfig, Clock.systemUTC(), registry).await();
    AgentConfig agentConfig = AgentConfig.fromYaml("agent: {id: bench, stateDir: \"" + state + "\"}\n"
      + "coordinator: {url: \"ws://127.0.0.1:" + coordinatorPort + "/bus\", token: bench-token, pingInterval: 500ms,"
      + " reconnect: {initial: 200ms, max: 1s}}\n"
      + "services:\n  - name: svc\n    command: " + command + "\n    port: " + port + "\n    stopGrace: 1s\n"
      + "    restart: {budget: {restarts: 1000, per: 1h}, backoff: {initial: 0s, max: 0s}}\n", "agent.yaml", Map.of());
    Vertx agentVertx = Vertx.vertx();
    Agent agent = Agent.deploy(agentVertx, agentConfig, "bench-host", Clock.systemUTC()).await();
    awaitListening(port, 30_000);
    Thread.sleep(3000);   // the hello answered and the first results in

    Sample with = measure(port);
    coordinatorVertx.close().await();
    Thread.sleep(3000);   // the agent knows it is alone (its link closed)
    Sample without = measure(port);

    System.out.printf("%d crashes each, exit -> new pid | exit -> listening (ms):%n", crashes);
    System.out.printf("  with the coordinator:    p50 %6.1f p99 %6.1f | p50 %6.1f p99 %6.1f%n", with.pidP(50),
      with.pidP(99), with.listenP(50), with.listenP(99));
    System.out.printf("  without (agent alone):   p50 %6.1f p99 %6.1f | p50 %6.1f p99 %6.1f%n", without.pidP(50),
      without.pidP(99), without.listenP(50), without.listenP(99));
    agent.undeploy().await();
    agentVertx.close().await();
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    return 0;
  }

  private record Sample(List<Long> toPid, List<Long> toListening) {

    double pidP(double p) {
      return FleetTally.percentileMillis(toPid, p / 100);
    }

    double listenP(double p) {
      return FleetTally.percentileMillis(toListening, p / 100);
    }
  }

  private Sample measure(int port) throws Exception {
    List<Long> toPid = new ArrayList<>();
    List<Long> toListening = new ArrayList<>();
    for (int i = 0; i < crashes; i++) {
      ProcessHandle old = serviceProcess().orElseThrow(() -> new IllegalStateException("no service process"));
      old.destroyForcibly();
      long killed = System.nanoTime();
      Optional<ProcessHandle> next = Optional.empty();
      while (next.isEmpty() || next.get().pid() == old.pid()) {
        next = serviceProcess();
        if (System.nanoTime() - killed > 30_000_000_000L) {
          throw new IllegalStateException("not respawned within 30 s");
        }
        Thread.onSpinWait();
      }
      toPid.add(System.nanoTime() - killed);
      awaitListening(port, 30_000);
      toListening.add(System.nanoTime() - killed);
      Thread.sleep(1500);   // healthy again before the next crash, as the policy sees it
    }
    Collections.sort(toPid);
    Collections.sort(toListening);
    return new Sample(toPid, toListening);
  }

  private static Optional<ProcessHandle> serviceProcess() {
    return ProcessHandle.current().children().filter(ProcessHandle::isAlive).findFirst();
  }

  private static void awaitListening(int port, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
        return;
      } catch (IOException e) {
        Thread.sleep(1);
      }
    }
    throw new IllegalStateException("port " + port + " not listening within " + timeoutMillis + " ms");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
