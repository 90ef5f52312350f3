package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.shared.message.FleetEvent;

import java.util.ArrayList;
import java.util.List;

/** What the outcomes a test saw carried, gathered so it can look at everything since it last looked. */
final class Collected {

  private Facts facts = new Facts();
  private final List<FleetEvent> events = new ArrayList<>();

  <R> Outcome<R> take(Outcome<R> outcome) {
    facts.addAll(outcome.facts());
    events.addAll(outcome.events());
    return outcome;
  }

  Facts drainFacts() {
    Facts drained = facts;
    facts = new Facts();
    return drained;
  }

  List<FleetEvent> drainEvents() {
    List<FleetEvent> drained = List.copyOf(events);
    events.clear();
    return drained;
  }
}
