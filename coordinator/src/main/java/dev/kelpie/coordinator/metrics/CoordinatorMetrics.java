package dev.kelpie.coordinator.metrics;

import dev.kelpie.coordinator.policy.FleetMetrics;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.policy.CheckPhase;
import dev.kelpie.shared.policy.Decision;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kelpie's own meters on the coordinator. Labels are bounded (actions, outcomes, states), never per agent or
 * check, so a large fleet does not grow the series; every labelled counter exists at zero for each value it can
 * take, so a rate or an alert on it works before its first event. A command is counted once when sent
 * ({@code kelpie_commands_sent_total}) and once when its outcome is known ({@code kelpie_commands_total}), in two
 * metrics so that neither sum counts it twice. Gauges read values the policy publishes once a second, so a scrape
 * never touches the policy's state from another thread.
 */
public final class CoordinatorMetrics implements FleetMetrics {

  /** What became of a command: its agent's answer, or why there was none. */
  public static final List<String> COMMAND_OUTCOMES = commandOutcomes();

  private static final Map<String, String> GAUGED = Map.of(
    "agents_connected", "Agents connected now",
    "agents_disconnected", "Agents known but not connected now (lost or not yet lost)",
    "agents_lost", "Agents not heard from for keepalive.lostAfter",
    "commands_in_flight", "Commands sent and not yet answered",
    "incidents_open", "Incidents open now");

  private final MeterRegistry registry;
  private final Counter ingested;
  private final Counter duplicates;
  private final Counter restarts;
  private final Counter gaveUp;
  private final Map<Decision.Kind, Counter> decisions = new EnumMap<>(Decision.Kind.class);
  private final Map<Action, Counter> sent = new EnumMap<>(Action.class);
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> levels = new ConcurrentHashMap<>();

  public CoordinatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    ingested = Counter.builder("kelpie_results_ingested").description("Probe results taken from agents")
      .register(registry);
    duplicates = Counter.builder("kelpie_reports_duplicate")
      .description("Reports dropped because they were already taken (replayed after a reconnect)").register(registry);
    restarts = Counter.builder("kelpie_restarts").description("Restarts carried out by agents (answered done)")
      .register(registry);
    gaveUp = Counter.builder("kelpie_gave_up").description("Checks that used up their restart budget")
      .register(registry);
    for (Decision.Kind kind : Decision.Kind.values()) {
      decisions.put(kind, Counter.builder("kelpie_decisions").tag("decision", label(kind.name()))
        .description("Decisions of the policy on a probe result: none, restart, give_up").register(registry));
    }
    for (Action action : Action.values()) {
      sent.put(action, Counter.builder("kelpie_commands_sent").tag("action", label(action.name()))
        .description("Commands sent to agents, by action").register(registry));
      for (String outcome : COMMAND_OUTCOMES) {
        outcome(action, outcome);
      }
    }
    for (CheckPhase phase : CheckPhase.values()) {
      stateGauge(registry, label(phase.name()));
    }
    stateGauge(registry, "agent_lost");
    GAUGED.forEach((name, help) -> {
      AtomicLong level = levels.computeIfAbsent(name, k -> new AtomicLong());
      Gauge.builder("kelpie_" + name, level, AtomicLong::get).description(help).register(registry);
    });
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
    decisions.get(decision).increment();
    if (decision == Decision.Kind.GIVE_UP) {
      gaveUp.increment();
    }
  }

  @Override
  public void commandSent(Action action) {
    sent.get(action).increment();
  }

  @Override
  public void commandAnswered(Action action, CommandStatus status) {
    finished(action, label(status.name()));
    if (status == CommandStatus.DONE && action == Action.RESTART) {
      restarts.increment();
    }
  }

  @Override
  public void commandLost(Action action, String why) {
    finished(action, why);
  }

  private void finished(Action action, String outcome) {
    outcome(action, outcome).increment();
  }

  private Counter outcome(Action action, String outcome) {
    return outcomes.computeIfAbsent(action + "/" + outcome, key -> Counter.builder("kelpie_commands")
      .tag("action", label(action.name())).tag("outcome", outcome)
      .description("Commands finished, by action and outcome: the agent's answer (done, failed, expired, "
        + "stale_epoch, unknown_service, duplicate) or why none came (undelivered, unanswered)")
      .register(registry));
  }

  private void stateGauge(MeterRegistry registry, String state) {
    AtomicLong level = levels.computeIfAbsent("state." + state, k -> new AtomicLong());
    Gauge.builder("kelpie_checks", level, AtomicLong::get).tag("state", state)
      .description("Checks in each state").register(registry);
  }

  private static List<String> commandOutcomes() {
    List<String> all = new ArrayList<>();
    for (CommandStatus status : CommandStatus.values()) {
      all.add(label(status.name()));
    }
    all.add("undelivered");
    all.add("unanswered");
    return List.copyOf(all);
  }

  private static String label(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
