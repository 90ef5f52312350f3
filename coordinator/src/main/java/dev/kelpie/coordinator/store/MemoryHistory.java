package dev.kelpie.coordinator.store;

import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The history read from the memory store's tables, answering as {@link PgHistory} does. */
final class MemoryHistory implements HistoryReader {

  private static final Comparator<History.Incident> INCIDENTS = Comparator.comparing(History.Incident::openedAt)
    .thenComparing(History.Incident::id);
  private static final Comparator<History.Action> ACTIONS = Comparator.comparing(History.Action::time)
    .thenComparing(History.Action::commandId);
  private static final Comparator<History.Moment> TIMELINE = Comparator.comparing(History.Moment::time)
    .thenComparing(History.Moment::kind);

  private final MemoryTables tables;

  MemoryHistory(MemoryTables tables) {
    this.tables = tables;
  }

  @Override
  public Future<List<History.Result>> results(String agentId, String checkId, Page asked) {
    Page page = stored(asked);
    synchronized (tables) {
      return Future.succeededFuture(newestFirst(tables.results.stream()
          .filter(r -> r.agentId().equals(agentId) && r.checkId().equals(checkId)).map(MemoryHistory::result)
          .filter(r -> page.contains(r.time())),
        Comparator.comparing(History.Result::time).thenComparingLong(History.Result::seq), page.limit()));
    }
  }

  @Override
  public Future<List<History.Bucket>> resultBuckets(String agentId, String checkId, Instant start, Instant end,
                                                    Duration bucket) {
    Instant from = stored(start);
    Instant to = stored(end);
    TreeMap<Instant, long[]> buckets = new TreeMap<>(Comparator.reverseOrder());
    synchronized (tables) {
      tables.results.stream()
        .filter(r -> r.agentId().equals(agentId) && r.checkId().equals(checkId))
        .filter(r -> !stored(r.time()).isBefore(from) && stored(r.time()).isBefore(to))
        .forEach(r -> {
          long index = Duration.between(from, stored(r.time())).toNanos() / bucket.toNanos();
          long[] sums = buckets.computeIfAbsent(from.plusNanos(index * bucket.toNanos()), k -> new long[4]);
          sums[0]++;
          sums[1] += r.up() ? 0 : 1;
          sums[2] += r.latency().toMillis();
          sums[3] = Math.max(sums[3], r.latency().toMillis());
        });
    }
    List<History.Bucket> list = new ArrayList<>(buckets.size());
    buckets.forEach((at, s) -> list.add(new History.Bucket(at, s[0], s[1], (double) s[2] / s[0], s[3])));
    return Future.succeededFuture(list);
  }

  @Override
  public Future<List<History.Transition>> transitions(String agentId, String checkId, Page asked) {
    Page page = stored(asked);
    List<History.Transition> matching = new ArrayList<>();
    synchronized (tables) {
      Iterator<Facts.Transition> latestWrittenFirst = tables.transitions.descendingIterator();
      latestWrittenFirst.forEachRemaining(t -> {
        if (t.agentId().equals(agentId) && t.checkId().equals(checkId) && page.contains(stored(t.at()))) {
          matching.add(new History.Transition(stored(t.at()), t.from(), t.to(), t.reason()));
        }
      });
    }
    return Future.succeededFuture(matching.stream()
      .sorted(Comparator.comparing(History.Transition::time).reversed())
      .limit(page.limit())
      .toList());
  }

  @Override
  public Future<List<History.Incident>> incidents(String host, String agentId, String checkId, Boolean open,
                                                  Page asked) {
    Page page = stored(asked);
    Predicate<History.Incident> matches = i -> (host == null || host.equals(i.host()))
      && (agentId == null || agentId.equals(i.agentId())) && (checkId == null || checkId.equals(i.checkId()))
      && (open == null || open == i.open()) && page.contains(i.openedAt());
    synchronized (tables) {
      return Future.succeededFuture(newestFirst(tables.incidents.values().stream().map(this::incident)
        .filter(matches), INCIDENTS, page.limit()));
    }
  }

  @Override
  public Future<List<History.Action>> actions(String agentId, String service, Page asked) {
    Page page = stored(asked);
    synchronized (tables) {
      return Future.succeededFuture(newestFirst(tables.actions.values().stream().map(MemoryHistory::action)
        .filter(a -> (agentId == null || agentId.equals(a.agentId())) && (service == null
          || service.equals(a.service())) && page.contains(a.time())), ACTIONS, page.limit()));
    }
  }

  @Override
  public Future<Optional<History.IncidentTimeline>> incident(String id) {
    synchronized (tables) {
      Facts.Incident found = tables.incidents.get(id);
      if (found == null) {
        return Future.succeededFuture(Optional.empty());
      }
      History.Incident incident = incident(found);
      return Future.succeededFuture(Optional.of(new History.IncidentTimeline(incident, timeline(incident))));
    }
  }

  /** Transitions of the incident's check and actions on its service, from its opening to a second after its close. */
  private List<History.Moment> timeline(History.Incident incident) {
    Instant until = stored(incident.open() ? Instant.now() : incident.closedAt().plusSeconds(1));
    Predicate<Instant> during = at -> at != null && !at.isBefore(incident.openedAt()) && !at.isAfter(until);
    Facts.CheckRecord check = tables.checks.get(incident.agentId() + "/" + incident.checkId());
    String service = check == null ? null : check.spec().getString("service");
    List<History.Moment> timeline = new ArrayList<>();
    tables.transitions.stream()
      .filter(t -> t.agentId().equals(incident.agentId()) && t.checkId().equals(incident.checkId())
        && during.test(stored(t.at())))
      .forEach(t -> timeline.add(new History.Moment(stored(t.at()), History.Kind.TRANSITION,
        t.from() + " -> " + t.to(), t.reason())));
    tables.actions.values().stream().map(MemoryHistory::action)
      .filter(a -> a.agentId().equals(incident.agentId()) && during.test(a.time())
        && (service != null && service.equals(a.service())
          || "remediate".equals(a.action()) && incident.checkId().equals(a.service())))
      .forEach(a -> timeline.add(new History.Moment(a.time(), History.Kind.ACTION,
        a.action() + (a.status() == null ? "" : " " + a.status()), a.detail() != null ? a.detail() : a.reason(),
        a.evidence(), a.issuedBy())));
    timeline.sort(TIMELINE);
    return timeline;
  }

  private History.Incident incident(Facts.Incident i) {
    return new History.Incident(i.id(), i.agentId(), tables.hostOf(i.agentId()), i.checkId(), stored(i.openedAt()),
      stored(i.closedAt()), i.reason());
  }

  private static History.Result result(ProbeResult r) {
    return new History.Result(r.seq(), stored(r.time()), r.up(), r.latency().toMillis(), r.detail());
  }

  private static History.Action action(Facts.Action a) {
    return new History.Action(a.commandId(), a.agentId(), a.service(), a.action(), a.reason(), a.issuedBy(),
      stored(a.issuedAt()), a.status(), a.detail(), stored(a.finishedAt()), a.durationMs(), a.evidence());
  }

  /** A page's bounds as PostgreSQL compares them. */
  private static Page stored(Page page) {
    return new Page(stored(page.from()), stored(page.to()), page.limit(), stored(page.before()));
  }

  /** An instant as PostgreSQL keeps it: to the microsecond (agents' clocks may give nanoseconds). */
  static Instant stored(Instant at) {
    return at == null ? null : at.truncatedTo(ChronoUnit.MICROS);
  }

  private static <T> List<T> newestFirst(Stream<T> items, Comparator<T> oldestFirst, int limit) {
    return items.sorted(oldestFirst.reversed()).limit(limit).toList();
  }
}
