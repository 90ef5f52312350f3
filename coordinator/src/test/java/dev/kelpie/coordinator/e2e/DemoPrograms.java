package dev.kelpie.coordinator.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The demo as {@code ./kelpie-demo.sh} runs it: the coordinator and the agent as programs of their own (their main
 * classes, from the test's class path), from the project's root, with the shipped {@code config/coordinator.yaml}
 * and {@code config/agent.yaml}. Only the ports and the agent's state folder are moved, through the environment
 * overrides the configs offer, so the test never takes 8420, 8081 or 9464 from anyone.
 */
final class DemoPrograms implements AutoCloseable {

  static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();

  final int httpPort = Fleet.freePort();
  final int demoPort = Fleet.freePort();
  final int metricsPort = Fleet.freePort();
  final Path runDir = Files.createTempDirectory("kelpie-demo-run");
  private final String marker = "-Dkelpie.test=" + UUID.randomUUID();
  private final List<Process> started = new ArrayList<>();
  private final List<Path> otherStateDirs = new ArrayList<>();

  DemoPrograms() throws IOException {
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("KELPIE_HTTP_PORT", Integer.toString(httpPort));
    env.put("KELPIE_DEMO_PORT", Integer.toString(demoPort));
    env.put("KELPIE_AGENT_METRICS_PORT", Integer.toString(metricsPort));
    env.put("KELPIE_COORDINATOR_URL", "ws://127.0.0.1:" + httpPort + "/bus");
    env.put("KELPIE_AGENT_STATE_DIR", runDir.resolve("agent").toString());
    return env;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  Process coordinator(String log) throws IOException {
    return start("dev.kelpie.coordinator.CoordinatorMain", "config/coordinator.yaml", log, Map.of());
  }

  Process agent(String log) throws IOException {
    return agent(log, Map.of());
  }

  /** An agent with some of {@link #env()} replaced, e.g. another state folder. */
  Process agent(String log, Map<String, String> env) throws IOException {
    if (env.containsKey("KELPIE_AGENT_STATE_DIR")) {
      otherStateDirs.add(Path.of(env.get("KELPIE_AGENT_STATE_DIR")));
    }
    return start("dev.kelpie.agent.AgentMain", "config/agent.yaml", log, env);
  }

  Path log(String name) {
    return runDir.resolve(name);
  }

  private Process start(String mainClass, String config, String log, Map<String, String> env) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      marker, "-XX:TieredStopAtLevel=1", "-cp", classPath, mainClass, "--config", config)
      .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(log(log).toFile());
    builder.environment().putAll(env());
    builder.environment().putAll(env);
    Process process = builder.start();
    started.add(process);
    return process;
  }

  /** The exit status once the process ends, within {@code limit}. */
  static int exitWithin(Process process, Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process " + process.pid() + " still runs after " + limit);
    }
    return process.exitValue();
  }

  /** The demo service's pid from the agent's own record, or -1. */
  long demoServicePid() {
    return demoServicePid(runDir.resolve("agent"));
  }

  static long demoServicePid(Path stateDir) {
    try {
      return Long.parseLong(Files.readString(stateDir.resolve("pids/demo.pid")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() throws Exception {
    for (Process process : started) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    otherStateDirs.add(runDir.resolve("agent"));
    for (Path stateDir : otherStateDirs) {
      long demo = demoServicePid(stateDir);
      if (demo > 0) {
        new ProcessBuilder("pkill", "-KILL", "-s", Long.toString(demo)).inheritIO().start()
          .waitFor(5, TimeUnit.SECONDS);
      }
    }
    ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(line -> line.contains(marker)).orElse(false))
      .forEach(ProcessHandle::destroyForcibly);
    // a demo service respawned after the pid record was read: found by its port, which only this test uses
    ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
        .map(line -> line.contains("kelpie-demo.jar --port " + demoPort + " ")).orElse(false))
      .forEach(p -> {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      });
  }
}
