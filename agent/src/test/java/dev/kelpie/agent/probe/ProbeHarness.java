package dev.kelpie.agent.probe;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.agent.metrics.AgentMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A probe runner on a real Vert.x, with checks read from agent YAML as the agent reads them, and every result it
 * publishes recorded. No services are supervised.
 */
final class ProbeHarness implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);

  final Vertx vertx = Vertx.vertx();
  final List<ProbeResult> results = new CopyOnWriteArrayList<>();

  ProbeHarness(String checksYaml) {
    this(checksYaml, ProbeKinds.BUILT_IN);
  }

  ProbeHarness(String checksYaml, ProbeKinds kinds) {
    this(checksYaml, kinds, List.of());
  }

  /** {@code services} are what the supervisor would say runs: the YAML must declare them under {@code services:}. */
  ProbeHarness(String yaml, ProbeKinds kinds, List<ServiceInfo> services) {
    String checksYaml = yaml;
    AgentConfig config = AgentConfig.fromYaml("agent: {id: probe-test}\n"
      + "coordinator: {url: \"ws://127.0.0.1:1/bus\", token: t}\n" + checksYaml, "agent.yaml", Map.of());
    vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_REPORT,
      msg -> results.add(ProbeResult.fromJson(msg.body())));
    JsonArray running = new JsonArray();
    services.forEach(service -> running.add(service.toJson()));
    vertx.eventBus().consumer(Addresses.LOCAL_SERVICES, msg -> msg.reply(running));
    vertx.deployVerticle(new ProbeVerticle("probe-test", config.checks(), Clock.systemUTC(),
      AgentMetrics.NONE, kinds)).await();
  }

  List<ProbeResult> of(String checkId) {
    return results.stream().filter(r -> r.checkId().equals(checkId)).collect(Collectors.toList());
  }

  /** Waits until {@code count} results of the check are in, and returns them. */
  List<ProbeResult> await(String checkId, int count) {
    return awaitResults(checkId, list -> list.size() >= count);
  }

  /** Waits until the check's results, at least one, meet {@code condition}, and returns them. */
  List<ProbeResult> awaitResults(String checkId, Predicate<List<ProbeResult>> condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      List<ProbeResult> seen = of(checkId);
      if (!seen.isEmpty() && condition.test(seen)) {
        return seen;
      }
      pause(Duration.ofMillis(20));
    }
    throw new AssertionError("timed out waiting for results of " + checkId + "; got " + of(checkId));
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
