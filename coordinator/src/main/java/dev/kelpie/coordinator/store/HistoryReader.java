package dev.kelpie.coordinator.store;

import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The read side of the store: history as records, newest first, paged backwards in time with {@code before}.
 * PostgreSQL and memory give the same answers (held by the store contract tests).
 */
public interface HistoryReader {

  /** A page request: newest first, at most {@code limit}, within [from, to), older than {@code before} when set. */
  record Page(Instant from, Instant to, int limit, Instant before) {

    /** The exclusive upper bound: {@code before} when it is earlier than {@code to}. */
    public Instant upper() {
      return before != null && before.isBefore(to) ? before : to;
    }

    public boolean contains(Instant at) {
      return at != null && !at.isBefore(from) && at.isBefore(upper());
    }
  }

  /** A check's raw results, newest first (ties: higher sequence first). */
  Future<List<History.Result>> results(String agentId, String checkId, Page page);

  /** A check's results in [from, to) summed per bucket (the first starts at {@code from}), newest first; none empty. */
  Future<List<History.Bucket>> resultBuckets(String agentId, String checkId, Instant from, Instant to,
                                             Duration bucket);

  /** A check's state changes, newest first (ties: the later written first). */
  Future<List<History.Transition>> transitions(String agentId, String checkId, Page page);

  /**
   * Incidents by opening time, newest first (ties: higher id first). {@code open}: true for open incidents only,
   * false for closed only, null for both. A null filter matches all.
   */
  Future<List<History.Incident>> incidents(String host, String agentId, String checkId, Boolean open, Page page);

  /** One incident with its timeline (transitions of its check, actions on its service, while it was open). */
  Future<Optional<History.IncidentTimeline>> incident(String id);

  /** Actions by {@link History.Action#time()}, newest first (ties: higher command id first). Null filters match all. */
  Future<List<History.Action>> actions(String agentId, String service, Page page);
}
