package dev.kelpie.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** The agent's metrics in a Micrometer registry (the Prometheus one that {@link MetricsVerticle} serves). */
public final class MicrometerAgentMetrics implements AgentMetrics {

  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5)};

  private final MeterRegistry registry;

  public MicrometerAgentMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void checkConfigured(String checkId) {
    latencyTimer(checkId, "up");
    latencyTimer(checkId, "down");
  }

  @Override
  public void probed(String checkId, boolean up, Duration latency) {
    latencyTimer(checkId, up ? "up" : "down").record(latency);
  }

  @Override
  public void uplink(IntSupplier bufferDepth, BooleanSupplier connected) {
    Gauge.builder("kelpie_agent_buffer_depth", bufferDepth, IntSupplier::getAsInt).strongReference(true)
      .description("Reports waiting for the coordinator's acknowledgement").register(registry);
    Gauge.builder("kelpie_agent_connected", connected, c -> c.getAsBoolean() ? 1 : 0).strongReference(true)
      .description("1 while connected to the coordinator and past the hello, else 0").register(registry);
    Counter.builder("kelpie_agent_reconnects")
      .description("Reconnection attempts to the coordinator after a loss or a refused connection").register(registry);
    Counter.builder("kelpie_agent_reports_dropped")
      .description("Oldest reports dropped to make room while the coordinator was unreachable (coordinator.buffer)")
      .register(registry);
  }

  @Override
  public void reconnecting() {
    registry.counter("kelpie_agent_reconnects").increment();
  }

  @Override
  public void reportDropped() {
    registry.counter("kelpie_agent_reports_dropped").increment();
  }

  private Timer latencyTimer(String checkId, String outcome) {
    return Timer.builder("kelpie_agent_probe").description("Probe latency per check and outcome (up, down)")
      .tag("check", checkId).tag("outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }
}
