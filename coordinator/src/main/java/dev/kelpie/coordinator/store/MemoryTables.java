package dev.kelpie.coordinator.store;

import dev.kelpie.shared.message.ProbeResult;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memory store's data, kept by the rules of the PostgreSQL tables (results once per agent and sequence, an
 * incident's opening kept, an action's first issue kept, a check's memory kept when none is given), bounded: the
 * newest {@value #KEPT} of each kind. Guarded by its own monitor: the policy writes, the HTTP verticle reads.
 */
final class MemoryTables {

  static final int KEPT = 100_000;

  final Deque<ProbeResult> results = new ArrayDeque<>();
  /** Each agent's highest sequence written: a result above it is new, without a search (the usual case). */
  private final Map<String, long[]> highestSeq = new HashMap<>();
  final Deque<Facts.Transition> transitions = new ArrayDeque<>();
  final Map<String, Facts.Incident> incidents = new LinkedHashMap<>();
  final Map<String, Facts.Action> actions = new LinkedHashMap<>();
  final Map<String, Facts.CheckRecord> checks = new HashMap<>();
  final Map<String, Facts.AgentRecord> agents = new HashMap<>();
  final Map<String, Facts.Silence> silences = new HashMap<>();
  /** Agents whose last agent alert called them lost, as the PostgreSQL store reads it from its alerts. */
  private final Map<String, Instant> lostAlerted = new HashMap<>();

  synchronized void add(Facts facts) {
    Map<String, Set<Long>> searched = new HashMap<>();
    for (ProbeResult result : facts.results) {
      if (isNew(result, searched)) {
        results.addLast(result);
        if (results.size() > KEPT) {
          results.removeFirst();
        }
      }
    }
    for (Facts.Transition transition : facts.transitions) {
      transitions.addLast(transition);
      if (transitions.size() > KEPT) {
        transitions.removeFirst();
      }
    }
    facts.incidents.values().forEach(i -> incidents.merge(i.id(), i, (kept, later) -> new Facts.Incident(kept.id(),
      kept.agentId(), kept.checkId(), kept.openedAt(), later.closedAt(), later.reason())));
    facts.actions.values().forEach(a -> actions.merge(a.commandId(), a, MemoryTables::firstIssue));
    trim(incidents);
    trim(actions);
    facts.checks.values().forEach(c -> checks.compute(c.agentId() + "/" + c.checkId(),
      (key, kept) -> kept == null && c.spec() == null ? null : c.after(kept)));   // never announced: nothing
    facts.agents.values().forEach(a -> agents.merge(a.agentId(), a, (kept, later) -> later.after(kept)));
    facts.silences.values().forEach(s -> silences.put(s.key(), s));
    for (Facts.Alert alert : facts.alerts) {
      String kind = alert.body().getString("kind");
      if ("agent_lost".equals(kind)) {
        lostAlerted.put(alert.body().getString("agentId"), alert.raisedAt());
      } else if ("agent_back".equals(kind)) {
        lostAlerted.remove(alert.body().getString("agentId"));
      }
    }
  }

  synchronized long purge(Instant successesBefore, Instant failuresBefore) {
    int before = results.size();
    results.removeIf(r -> r.time().isBefore(r.up() ? successesBefore : failuresBefore));
    return before - results.size();
  }

  synchronized Store.Restored restored(Instant now) {
    Map<String, Facts.Incident> open = new HashMap<>();
    incidents.values().stream().filter(i -> i.closedAt() == null).forEach(i -> open.put(i.id(), i));
    List<Facts.Action> pending = new ArrayList<>();
    actions.values().stream()
      .filter(a -> a.status() == null && a.issuedAt() != null && a.issuedAt().isAfter(now.minus(Duration.ofDays(1))))
      .forEach(a -> pending.add(new Facts.Action(a.commandId(), a.agentId(), a.service(), a.action(), a.reason(),
        a.issuedBy(), a.issuedAt(), a.expiresAt(), a.epoch(), null, null, null, null)));
    return new Store.Restored(new HashMap<>(agents), new HashMap<>(checks), open, pending,
      silences.values().stream().filter(s -> s.until().isAfter(now)).toList(), new HashMap<>(lostAlerted));
  }

  synchronized String hostOf(String agentId) {
    Facts.AgentRecord agent = agents.get(agentId);
    return agent == null ? null : agent.host();
  }

  /**
   * Whether a result is not kept yet: above its agent's highest sequence it is (the usual case, no search); at or
   * below it, its agent's kept sequences are searched once per write ({@code searched}) and looked up.
   */
  private boolean isNew(ProbeResult result, Map<String, Set<Long>> searched) {
    long[] highest = highestSeq.computeIfAbsent(result.agentId(), id -> new long[] {Long.MIN_VALUE});
    if (result.seq() > highest[0]) {
      highest[0] = result.seq();
      Set<Long> kept = searched.get(result.agentId());
      if (kept != null) {
        kept.add(result.seq());
      }
      return true;
    }
    return searched.computeIfAbsent(result.agentId(), this::seqsOf).add(result.seq());
  }

  /** The sequences of an agent's kept results. */
  private Set<Long> seqsOf(String agentId) {
    Set<Long> seqs = new HashSet<>();
    results.forEach(r -> {
      if (r.agentId().equals(agentId)) {
        seqs.add(r.seq());
      }
    });
    return seqs;
  }

  /** As PostgreSQL keeps it: the first issue written, the latest answer (fields left null keep the earlier). */
  private static Facts.Action firstIssue(Facts.Action kept, Facts.Action later) {
    Facts.Action issue = kept.issuedAt() != null ? kept : later;
    return new Facts.Action(kept.commandId(), kept.agentId(), issue.service(), issue.action(), issue.reason(),
      issue.issuedBy(), issue.issuedAt(), issue.expiresAt(), issue.epoch(),
      later.status() != null ? later.status() : kept.status(),
      later.detail() != null ? later.detail() : kept.detail(),
      later.finishedAt() != null ? later.finishedAt() : kept.finishedAt(),
      later.durationMs() != null ? later.durationMs() : kept.durationMs(),
      later.evidence() != null ? later.evidence() : kept.evidence());
  }

  private static <K, V> void trim(Map<K, V> map) {
    var it = map.keySet().iterator();
    while (map.size() > KEPT && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
