package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static dev.kelpie.coordinator.store.Store.row;

/**
 * History in memory, for running without a database: the same answers as PostgreSQL for recent history, bounded
 * (the newest {@value #KEPT} of each kind are kept), and gone when the coordinator stops.
 */
public final class MemoryStore implements Store {

  static final int KEPT = 100_000;

  private final Deque<ProbeResult> results = new ArrayDeque<>();
  private final Deque<Facts.Transition> transitions = new ArrayDeque<>();
  private final Map<String, Facts.Incident> incidents = new LinkedHashMap<>();
  private final Map<String, Facts.Action> actions = new LinkedHashMap<>();
  private final Map<String, Facts.CheckRecord> checks = new HashMap<>();
  private final Map<String, Facts.AgentRecord> agents = new HashMap<>();
  private final AlertOutbox outbox = new MemoryAlertOutbox();

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public Future<Long> open(long proposedEpoch) {
    return Future.succeededFuture(proposedEpoch);
  }

  @Override
  public Future<Restored> restore() {
    return Future.succeededFuture(new Restored(Map.of(), Map.of(), Map.of(), List.of(), List.of()));
  }

  @Override
  public synchronized Future<Void> write(Facts facts) {
    facts.results.forEach(r -> bounded(results, r));
    facts.transitions.forEach(t -> bounded(transitions, t));
    facts.incidents.forEach(incidents::put);
    facts.actions.forEach((id, action) -> actions.merge(id, action, Facts::mergeAction));
    trim(incidents);
    trim(actions);
    checks.putAll(facts.checks);
    facts.agents.forEach((id, agent) -> agents.merge(id, agent, (a, b) -> new Facts.AgentRecord(id,
      b.host() != null ? b.host() : a.host(), b.version() != null ? b.version() : a.version(),
      Math.max(a.lastSeq(), b.lastSeq()), b.lastSeen(), b.services() != null ? b.services() : a.services())));
    return Future.succeededFuture();
  }

  @Override
  public AlertOutbox outbox() {
    return outbox;
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<JsonArray> results(String agentId, String checkId, Page page) {
    return Future.succeededFuture(page(results.stream()
        .filter(r -> r.agentId().equals(agentId) && r.checkId().equals(checkId))
        .filter(r -> within(r.time(), page)), Comparator.comparing(ProbeResult::time), page.limit(),
      r -> row("seq", r.seq(), "time", r.time(), "outcome", r.up() ? "up" : "down", "latencyMs",
        r.latency().toMillis(), "detail", r.detail())));
  }

  @Override
  public synchronized Future<JsonArray> resultBuckets(String agentId, String checkId, Instant from, Instant to,
                                                      Duration bucket) {
    TreeMap<Instant, long[]> buckets = new TreeMap<>(Comparator.reverseOrder());
    results.stream()
      .filter(r -> r.agentId().equals(agentId) && r.checkId().equals(checkId))
      .filter(r -> !r.time().isBefore(from) && r.time().isBefore(to))
      .forEach(r -> {
        long index = Duration.between(from, r.time()).toMillis() / bucket.toMillis();
        long[] sums = buckets.computeIfAbsent(from.plusMillis(index * bucket.toMillis()), k -> new long[4]);
        sums[0]++;
        sums[1] += r.up() ? 0 : 1;
        sums[2] += r.latency().toMillis();
        sums[3] = Math.max(sums[3], r.latency().toMillis());
      });
    JsonArray array = new JsonArray();
    buckets.forEach((at, s) -> array.add(row("time", at, "count", s[0], "failures", s[1],
      "meanLatencyMs", (double) s[2] / s[0], "maxLatencyMs", s[3])));
    return Future.succeededFuture(array);
  }

  @Override
  public synchronized Future<JsonArray> transitions(String agentId, String checkId, Page page) {
    return Future.succeededFuture(page(transitions.stream()
        .filter(t -> t.agentId().equals(agentId) && t.checkId().equals(checkId) && within(t.at(), page)),
      Comparator.comparing(Facts.Transition::at), page.limit(),
      t -> row("time", t.at(), "from", t.from(), "to", t.to(), "reason", t.reason())));
  }

  @Override
  public synchronized Future<JsonArray> incidents(String host, String agentId, String checkId, Boolean open,
                                                  Page page) {
    Predicate<Facts.Incident> matches = i -> (host == null || host.equals(hostOf(i.agentId())))
      && (agentId == null || agentId.equals(i.agentId())) && (checkId == null || checkId.equals(i.checkId()))
      && (open == null || open == (i.closedAt() == null)) && within(i.openedAt(), page);
    return Future.succeededFuture(page(incidents.values().stream().filter(matches),
      Comparator.comparing(Facts.Incident::openedAt), page.limit(),
      i -> row("id", i.id(), "agentId", i.agentId(), "host", hostOf(i.agentId()), "checkId", i.checkId(),
        "openedAt", i.openedAt(), "closedAt", i.closedAt(), "open", i.closedAt() == null, "reason", i.reason())));
  }

  @Override
  public synchronized Future<JsonArray> actions(String agentId, String service, Page page) {
    return Future.succeededFuture(page(actions.values().stream()
        .filter(a -> (agentId == null || agentId.equals(a.agentId())) && (service == null || service.equals(a.service())))
        .filter(a -> within(when(a), page)), Comparator.comparing(MemoryStore::when), page.limit(),
      a -> row("commandId", a.commandId(), "agentId", a.agentId(), "service", a.service(), "action", a.action(),
        "reason", a.reason(), "issuedBy", a.issuedBy(), "issuedAt", a.issuedAt(), "status", a.status(),
        "detail", a.detail(), "finishedAt", a.finishedAt(), "durationMs", a.durationMs())));
  }

  @Override
  public synchronized Future<JsonObject> incident(String id) {
    Facts.Incident found = incidents.get(id);
    if (found == null) {
      return Future.succeededFuture(null);
    }
    Instant until = found.closedAt() == null ? Instant.now() : found.closedAt().plusSeconds(1);
    Facts.CheckRecord check = checks.get(found.agentId() + "/" + found.checkId());
    String service = check == null ? null : check.spec().getString("service");
    List<JsonObject> timeline = new java.util.ArrayList<>();
    transitions.stream().filter(t -> t.agentId().equals(found.agentId()) && t.checkId().equals(found.checkId())
        && !t.at().isBefore(found.openedAt()) && !t.at().isAfter(until))
      .forEach(t -> timeline.add(row("time", t.at(), "kind", "transition", "what", t.from() + " -> " + t.to(),
        "why", t.reason())));
    actions.values().stream().filter(a -> a.agentId().equals(found.agentId()) && a.service().equals(service)
        && !when(a).isBefore(found.openedAt()) && !when(a).isAfter(until))
      .forEach(a -> timeline.add(row("time", when(a), "kind", "action",
        "what", a.action() + (a.status() == null ? "" : " " + a.status()),
        "why", a.detail() != null ? a.detail() : a.reason())));
    timeline.sort(Comparator.comparing(j -> j.getString("time")));
    return Future.succeededFuture(row("id", found.id(), "agentId", found.agentId(), "host", hostOf(found.agentId()),
      "checkId", found.checkId(), "openedAt", found.openedAt(), "closedAt", found.closedAt(),
      "open", found.closedAt() == null, "reason", found.reason()).put("timeline", new JsonArray(timeline)));
  }

  @Override
  public synchronized Future<Long> purge(Instant successesBefore, Instant failuresBefore) {
    int before = results.size();
    results.removeIf(r -> r.time().isBefore(r.up() ? successesBefore : failuresBefore));
    return Future.succeededFuture((long) before - results.size());
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private String hostOf(String agentId) {
    Facts.AgentRecord agent = agents.get(agentId);
    return agent == null ? null : agent.host();
  }

  private static Instant when(Facts.Action action) {
    return Objects.requireNonNullElse(action.issuedAt(), Objects.requireNonNullElse(action.finishedAt(), Instant.EPOCH));
  }

  private static boolean within(Instant at, Page page) {
    Instant upper = page.before() != null && page.before().isBefore(page.to()) ? page.before() : page.to();
    return !at.isBefore(page.from()) && at.isBefore(upper);
  }

  private static <T> JsonArray page(Stream<T> items, Comparator<T> byTime, int limit,
                                    java.util.function.Function<T, JsonObject> toJson) {
    JsonArray array = new JsonArray();
    items.sorted(byTime.reversed()).limit(limit).forEach(item -> array.add(toJson.apply(item)));
    return array;
  }

  private static <T> void bounded(Deque<T> deque, T item) {
    deque.addLast(item);
    if (deque.size() > KEPT) {
      deque.removeFirst();
    }
  }

  private static <K, V> void trim(Map<K, V> map) {
    var it = map.keySet().iterator();
    while (map.size() > KEPT && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
