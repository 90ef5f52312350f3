package dev.kelpie.coordinator.metrics;

import dev.kelpie.coordinator.policy.FleetMetrics;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kelpie's own meters on the coordinator. Labels are bounded (actions, outcomes, states), never per agent or
 * check, so a large fleet does not grow the series. Gauges read values the policy publishes once a second, so a
 * scrape never touches the policy's state from another thread.
 */
public final class CoordinatorMetrics implements FleetMetrics {

  private static final String[] GAUGED = {"agents_connected", "agents_disconnected", "agents_lost",
    "commands_in_flight", "incidents_open"};

  private final MeterRegistry registry;
  private final Counter ingested;
  private final Counter duplicates;
  private final Counter restarts;
  private final Counter gaveUp;
  private final Map<String, AtomicLong> levels = new ConcurrentHashMap<>();

  public CoordinatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    ingested = Counter.builder("kelpie_results_ingested").description("probe results taken from agents")
      .register(registry);
    duplicates = Counter.builder("kelpie_reports_duplicate").description("replayed reports dropped")
      .register(registry);
    restarts = Counter.builder("kelpie_restarts").description("restarts carried out by agents")
      .register(registry);
    gaveUp = Counter.builder("kelpie_gave_up").description("checks that used up their restart budget")
      .register(registry);
    for (CheckPhase phase : CheckPhase.values()) {
      stateGauge(phase.name().toLowerCase(Locale.ROOT));
    }
    stateGauge("agent_lost");
    for (String name : GAUGED) {
      AtomicLong level = levels.computeIfAbsent(name, k -> new AtomicLong());
      Gauge.builder("kelpie_" + name, level, AtomicLong::get).register(registry);
    }
  }

  /** Called by the policy once a second with {@code FleetState.counts()}. */
  public void levels(Map<String, Integer> counts) {
    levels.forEach((name, level) -> level.set(counts.getOrDefault(name, 0)));
  }

  @Override
  public void ingested(int results) {
    ingested.increment(results);
  }

  @Override
  public void duplicates(int reports) {
    duplicates.increment(reports);
  }

  @Override
  public void decided(Decision.Kind decision) {
    registry.counter("kelpie_decisions", "decision", decision.name().toLowerCase(Locale.ROOT)).increment();
    if (decision == Decision.Kind.GIVE_UP) {
      gaveUp.increment();
    }
  }

  @Override
  public void commandSent(Action action) {
    command(action, "sent");
  }

  @Override
  public void commandAnswered(Action action, CommandStatus status) {
    command(action, status.name().toLowerCase(Locale.ROOT));
    if (status == CommandStatus.DONE && action == Action.RESTART) {
      restarts.increment();
    }
  }

  @Override
  public void commandLost(Action action, String why) {
    command(action, why);
  }

  private void command(Action action, String outcome) {
    registry.counter("kelpie_commands", "action", action.name().toLowerCase(Locale.ROOT), "outcome", outcome)
      .increment();
  }

  private void stateGauge(String state) {
    AtomicLong level = levels.computeIfAbsent("state." + state, k -> new AtomicLong());
    Gauge.builder("kelpie_checks", level, AtomicLong::get).tag("state", state)
      .description("checks in each state").register(registry);
  }
}
