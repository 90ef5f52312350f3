package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import io.vertx.core.Future;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Where the coordinator keeps its history: PostgreSQL, or memory when no database is configured. This is the
 * write side (facts in, what a restart needs back out); {@link #history()} is the read side over the same data.
 * Writes are idempotent: a replayed fact is stored once.
 */
public interface Store {

  /**
   * What a restarted coordinator needs before it acts again. {@code lostAlerted}: agents whose last agent alert says
   * they were lost (an {@code agent_lost} and no {@code agent_back} after it), with when it was raised.
   */
  record Restored(Map<String, Facts.AgentRecord> agents, Map<String, Facts.CheckRecord> checks,
                  Map<String, Facts.Incident> openIncidents, List<Facts.Action> pendingActions,
                  List<Facts.Silence> silences, Map<String, Instant> lostAlerted) {

    public Restored(Map<String, Facts.AgentRecord> agents, Map<String, Facts.CheckRecord> checks,
                    Map<String, Facts.Incident> openIncidents, List<Facts.Action> pendingActions,
                    List<Facts.Silence> silences) {
      this(agents, checks, openIncidents, pendingActions, silences, Map.of());
    }

    /** Only {@code agentId}'s part. */
    public Restored only(String agentId) {
      Map<String, Facts.AgentRecord> agent = new java.util.HashMap<>();
      if (agents.containsKey(agentId)) {
        agent.put(agentId, agents.get(agentId));
      }
      Map<String, Facts.CheckRecord> itsChecks = new java.util.HashMap<>();
      checks.forEach((key, check) -> {
        if (check.agentId().equals(agentId)) {
          itsChecks.put(key, check);
        }
      });
      Map<String, Facts.Incident> itsIncidents = new java.util.HashMap<>();
      openIncidents.forEach((id, incident) -> {
        if (incident.agentId().equals(agentId)) {
          itsIncidents.put(id, incident);
        }
      });
      return new Restored(agent, itsChecks, itsIncidents,
        pendingActions.stream().filter(a -> agentId.equals(a.agentId())).toList(),
        silences.stream().filter(s -> agentId.equals(s.agentId())).toList(),
        lostAlerted.containsKey(agentId) ? Map.of(agentId, lostAlerted.get(agentId)) : Map.of());
    }
  }

  String kind();

  /**
   * Whether a write is committed by the time it returns, on the caller's thread (memory): such a store's writes are
   * made in place, so a report is acknowledged as stored in the same reply, rather than on a loop of their own.
   */
  default boolean writesInPlace() {
    return false;
  }

  /** Prepares the store (migrations) and opens a new coordinator epoch, greater than every earlier one. */
  Future<Long> open(long proposedEpoch);

  /**
   * Agents by id, checks by "agent/check" with their last memory, incidents still open by id, actions issued in the
   * last day and not answered, silences not yet lifted.
   */
  Future<Restored> restore();

  /** As {@link #restore()}, only what concerns one agent (a coordinator taking it over from another one). */
  default Future<Restored> restoreAgent(String agentId) {
    return restore().map(all -> all.only(agentId));
  }

  /**
   * At least {@code agentIds}' parts (each taken with {@link Restored#only}), in one round of queries: a node taking
   * over many agents at once (a dead node's) reads them together rather than one query round each.
   */
  default Future<Restored> restoreAgents(Collection<String> agentIds) {
    return restore();
  }

  /** Writes all the facts in one transaction, or none of them. */
  Future<Void> write(Facts facts);

  Future<Void> ping();

  /** Drops the connections (a write hung in them is not waited on) and opens new ones for what comes next. */
  default void replaceConnections() {
  }

  /** The history as written, for reading. */
  HistoryReader history();

  /** The alert outbox, kept where the alerts are (they are written with the facts that raise them). */
  AlertOutbox outbox();

  /** Deletes raw results older than the cutoffs (successes and failures apart); returns how many. */
  Future<Long> purge(Instant successesBefore, Instant failuresBefore);

  Future<Void> close();
}
