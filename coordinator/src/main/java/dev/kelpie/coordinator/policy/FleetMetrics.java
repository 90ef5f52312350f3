package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.policy.Decision;

/** What the fleet's books count, for whoever exports it; every method does nothing unless overridden. */
public interface FleetMetrics {

  FleetMetrics NONE = new FleetMetrics() {
  };

  default void ingested(int results) {
  }

  default void duplicates(int reports) {
  }

  default void decided(Decision.Kind decision) {
  }

  default void commandSent(Action action) {
  }

  default void commandAnswered(Action action, CommandStatus status) {
  }

  /** A command that never got an answer: {@code why} is "undelivered" or "unanswered". */
  default void commandLost(Action action, String why) {
  }
}
