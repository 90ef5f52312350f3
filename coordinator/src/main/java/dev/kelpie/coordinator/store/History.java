package dev.kelpie.coordinator.store;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * What the history API shows, as the stores read it back: plain records, turned into the API's JSON by the HTTP
 * layer alone. Times are instants; a field is null where the store holds nothing for it.
 */
public final class History {

  private History() {
  }

  /** One raw probe result. */
  public record Result(long seq, Instant time, boolean up, long latencyMs, String detail) {
  }

  /** Results summed over one bucket starting at {@code time}. */
  public record Bucket(Instant time, long count, long failures, double meanLatencyMs, long maxLatencyMs) {
  }

  public record Transition(Instant time, String from, String to, String reason) {
  }

  /** An incident with its agent's host (null while the agent is unknown). */
  public record Incident(String id, String agentId, String host, String checkId, Instant openedAt, Instant closedAt,
                         String reason) {

    public boolean open() {
      return closedAt == null;
    }
  }

  /** An action issued (status null) or answered; {@link #time()} is when it was issued, else when it finished. */
  public record Action(String commandId, String agentId, String service, String action, String reason,
                       String issuedBy, Instant issuedAt, String status, String detail, Instant finishedAt,
                       Long durationMs, JsonObject evidence) {

    public Action(String commandId, String agentId, String service, String action, String reason, String issuedBy,
                  Instant issuedAt, String status, String detail, Instant finishedAt, Long durationMs) {
      this(commandId, agentId, service, action, reason, issuedBy, issuedAt, status, detail, finishedAt, durationMs,
        null);
    }

    public Instant time() {
      return issuedAt != null ? issuedAt : finishedAt;
    }
  }

  /**
   * One line of an incident's timeline: a transition of its check or an action on its service (or a remediation of
   * the check); {@code by} is who ordered an action (a person, "policy" or a check, "agent"), null for a transition.
   */
  public record Moment(Instant time, Kind kind, String what, String why, JsonObject evidence, String by) {

    public Moment(Instant time, Kind kind, String what, String why, JsonObject evidence) {
      this(time, kind, what, why, evidence, null);
    }

    public Moment(Instant time, Kind kind, String what, String why) {
      this(time, kind, what, why, null);
    }
  }

  public enum Kind {
    TRANSITION, ACTION
  }

  /** An incident and what happened to its check while it was open, oldest first. */
  public record IncidentTimeline(Incident incident, List<Moment> timeline) {
  }
}
