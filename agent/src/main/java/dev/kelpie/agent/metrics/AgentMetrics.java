package dev.kelpie.agent.metrics;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What the agent counts for its own metrics endpoint. {@link #NONE} when its config serves no metrics: then no
 * metrics library is loaded at all, which keeps the agent small (see README, "The agent's footprint").
 */
public interface AgentMetrics {

  AgentMetrics NONE = new AgentMetrics() {
  };

  /** The check's latency series exist (at zero) before its first probe. */
  default void checkConfigured(String checkId) {
  }

  default void probed(String checkId, boolean up, Duration latency) {
  }

  default void uplink(IntSupplier bufferDepth, BooleanSupplier connected) {
  }

  default void reconnecting() {
  }

  default void reportDropped() {
  }
}
