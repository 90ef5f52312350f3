package dev.kelpie.agent.supervise;

import dev.kelpie.agent.config.AgentConfig.Adopt;
import dev.kelpie.agent.config.AgentConfig.ServiceSpec;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ProcessEventType;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A supervisor on a real Vert.x with real processes, seen from the outside: the events it publishes, the commands
 * it answers. Remembers every process it saw, so a test never leaks one.
 */
final class SupervisorHarness {

  static final String AGENT = "agent-test";
  static final Duration WAIT = Duration.ofSeconds(20);

  final Vertx vertx;
  final Path stateDir;
  final List<ProcessEvent> events = new CopyOnWriteArrayList<>();
  final List<ServiceInfo> states = new CopyOnWriteArrayList<>();
  /** Probe results, when a test deploys probes beside the supervisor. */
  final List<ProbeResult> results = new CopyOnWriteArrayList<>();
  private final Set<ProcessId> seen = ConcurrentHashMap.newKeySet();

  SupervisorHarness(Vertx vertx, Path stateDir) {
    this.vertx = vertx;
    this.stateDir = stateDir;
    vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_REPORT, msg -> {
      if (ProbeResult.KIND.equals(msg.body().getString("kind"))) {
        results.add(ProbeResult.fromJson(msg.body()));
        return;
      }
      ProcessEvent event = ProcessEvent.fromJson(msg.body());
      if (event.pid() > 0) {
        track(event.pid());
      }
      events.add(event);
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_SERVICE_STATE,
      msg -> states.add(ServiceInfo.fromJson(msg.body())));
  }

  static ServiceSpec service(String name, String... command) {
    return new ServiceSpec(name, List.of(command), null, Map.of(), "TERM", Duration.ofSeconds(2), null, null, true,
      Duration.ofSeconds(5), null, null);
  }

  static ServiceSpec withStop(ServiceSpec s, String signal, Duration grace) {
    return new ServiceSpec(s.name(), s.command(), s.workdir(), s.env(), signal, grace, s.port(), s.adopt(),
      s.autostart(), s.portReleaseTimeout(), s.policy(), s.manager());
  }

  static ServiceSpec withPort(ServiceSpec s, int port, Duration release) {
    return new ServiceSpec(s.name(), s.command(), s.workdir(), s.env(), s.stopSignal(), s.stopGrace(), port,
      s.adopt(), s.autostart(), release, s.policy(), s.manager());
  }

  static ServiceSpec withAdopt(ServiceSpec s, Adopt adopt) {
    return new ServiceSpec(s.name(), s.command(), s.workdir(), s.env(), s.stopSignal(), s.stopGrace(), s.port(),
      adopt, s.autostart(), s.portReleaseTimeout(), s.policy(), s.manager());
  }

  String deploy(ServiceSpec... services) throws Exception {
    return deploy(List.of(services));
  }

  String deploy(List<ServiceSpec> services) throws Exception {
    return get(vertx.deployVerticle(new SupervisorVerticle(AGENT, stateDir, services, Clock.systemUTC()),
      new DeploymentOptions()));
  }

  void undeploy(String deployment) throws Exception {
    get(vertx.undeploy(deployment));
  }

  CommandResult command(String service, Action action) throws Exception {
    return get(send(service, action));
  }

  Future<CommandResult> send(String service, Action action) {
    Instant now = Instant.now();
    Command command = new Command(UUID.randomUUID().toString(), AGENT, service, action, "test", now,
      now.plusSeconds(60), 1);
    return vertx.eventBus().<JsonObject>request(Addresses.LOCAL_COMMAND, command.toJson())
      .map(msg -> CommandResult.fromJson(msg.body()));
  }

  List<ServiceInfo> listing() throws Exception {
    JsonArray array = get(vertx.eventBus().<JsonArray>request(Addresses.LOCAL_SERVICES, null).map(m -> m.body()));
    List<ServiceInfo> infos = new ArrayList<>();
    array.forEach(item -> infos.add(ServiceInfo.fromJson((JsonObject) item)));
    return infos;
  }

  ProcessEvent awaitEvent(String service, ProcessEventType type) {
    return awaitEvent(e -> e.service().equals(service) && e.type() == type);
  }

  ProcessEvent awaitEvent(Predicate<ProcessEvent> wanted) {
    await(() -> events.stream().anyMatch(wanted), "an event " + wanted + " in " + events);
    return events.stream().filter(wanted).findFirst().orElseThrow();
  }

  List<ProcessEventType> types(String service) {
    return events.stream().filter(e -> e.service().equals(service)).map(ProcessEvent::type).toList();
  }

  /** Polls from the test thread, never from an event loop. */
  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + WAIT.toSeconds() + " s for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
  }

  /** A process started by the test itself, outside any supervisor. */
  Process stranger(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    track(process.pid());
    return process;
  }

  void track(long pid) {
    ProcessTable.tree(pid).forEach(member -> ProcessTable.identify(member).ifPresent(seen::add));
  }

  static boolean alive(long pid) {
    return ProcessTable.identify(pid).isPresent();
  }

  static void signal(String signal, long pid) throws Exception {
    new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).start().waitFor();
  }

  /** SIGKILL for every process any test step saw, with whatever it forked. */
  void killEverything() {
    seen.stream().filter(ProcessId::alive).forEach(process -> track(process.pid()));
    seen.stream().filter(ProcessId::alive)
      .forEach(process -> ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly));
  }

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
