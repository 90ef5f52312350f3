package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.rules.Sequence;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** One agent: identity, connection, the last report sequence taken from it, its checks and services. */
final class TrackedAgent {

  private static final int RECENT_EVENTS = 50;

  private final String id;
  private final Map<String, TrackedCheck> checks = new LinkedHashMap<>();
  private final Map<String, ServiceInfo> services = new LinkedHashMap<>();
  private final Deque<ProcessEvent> recentEvents = new ArrayDeque<>();
  private final Map<String, String> commandRunning = new HashMap<>();
  private final Map<String, Integer> restarts = new HashMap<>();
  private final Set<String> stoppedOnce = new HashSet<>();
  private String host;
  private String version;
  private boolean connected;
  private long lastSeq;
  private long duplicates;
  private long missing;
  private Instant lastSeen;
  private Instant lastTakenAt;
  private Duration skew = Duration.ZERO;
  private boolean clockSkewed;
  private boolean lost;
  private Keepalive vitals;
  private Instant silencedUntil;
  private long decidedUpTo;
  private Set<String> actedAlone = Set.of();

  TrackedAgent(String id) {
    this.id = id;
  }

  void hello(AgentHello hello) {
    host = hello.host();
    version = hello.version();
    connected = true;
    Map<String, TrackedCheck> previous = new LinkedHashMap<>(checks);
    checks.clear();
    hello.checks().forEach(spec -> {
      TrackedCheck check = previous.get(spec.id());
      if (check == null) {
        check = new TrackedCheck(spec);
      } else {
        check.announce(spec);
      }
      checks.put(check.id(), check);
    });
    services.clear();
    hello.services().forEach(service -> services.put(service.name(), service));
    decidedUpTo = hello.memory().isEmpty() ? 0 : hello.decidedUpTo();
    Set<String> alone = new HashSet<>();
    hello.memory().keySet().forEach(checkId -> {
      TrackedCheck check = checks.get(checkId);
      if (check != null && check.service() != null) {
        alone.add(check.service());
      }
    });
    actedAlone = Set.copyOf(alone);
  }

  /** The services whose checks the agent acted on alone before its last hello (it restarted them itself). */
  Set<String> actedAlone() {
    return actedAlone;
  }

  /**
   * The last report the agent judged itself, alone, before its hello: the reports up to there are recorded, not
   * judged again (0: none).
   */
  long decidedUpTo() {
    return decidedUpTo;
  }

  /** Whether a report with this sequence number is new; counts replays and gaps. */
  boolean accept(long seq) {
    if (seq <= lastSeq) {
      duplicates++;
      return false;
    }
    if (lastSeq > 0 && seq > lastSeq + 1) {
      missing += seq - lastSeq - 1;
    }
    lastSeq = seq;
    return true;
  }

  /** After a coordinator restart: the last sequence already stored, so replays are recognised. */
  void restoreLastSeq(long seq) {
    lastSeq = Math.max(lastSeq, seq);
  }

  /** ... and when it was stored, from which the next may run ahead ({@link Sequence}). */
  void restoreLastSeq(long seq, Instant storedAt) {
    restoreLastSeq(seq);
    lastTakenAt = storedAt;
  }

  /**
   * Why the batch's sequence numbers may not be taken: one runs too far ahead of the last taken
   * ({@link Sequence#problem}); the field is named as in the batch.
   */
  Optional<String> sequenceProblem(List<Report> reports, Instant now) {
    long last = lastSeq;
    Duration away = lastTakenAt == null ? Duration.ZERO : Duration.between(lastTakenAt, now);
    for (int i = 0; i < reports.size(); i++) {
      long seq = reports.get(i).seq();
      Optional<String> problem = Sequence.problem(last, seq, away);
      if (problem.isPresent()) {
        return Optional.of("reports[" + i + "].seq: " + problem.get());
      }
      last = Math.max(last, seq);
    }
    return Optional.empty();
  }

  void taken(Instant now) {
    lastTakenAt = now;
  }

  /** Notes how far the agent's clock is from the coordinator's; true when it just went past the window, or back. */
  boolean clockSkew(Duration skew, boolean skewed) {
    this.skew = skew;
    boolean changed = skewed != clockSkewed;
    clockSkewed = skewed;
    return changed;
  }

  Duration clockSkew() {
    return skew;
  }

  String host() {
    return host;
  }

  String version() {
    return version;
  }

  /** Counts restarts: a start after this coordinator saw the service exit or be killed. */
  void countStarts(ProcessEvent event) {
    switch (event.type()) {
      case EXITED, KILLED -> stoppedOnce.add(event.service());
      case STARTED -> {
        if (stoppedOnce.contains(event.service())) {
          restarts.merge(event.service(), 1, Integer::sum);
        }
      }
      default -> {
      }
    }
  }

  void remember(ProcessEvent event) {
    recentEvents.addLast(event);
    if (recentEvents.size() > RECENT_EVENTS) {
      recentEvents.removeFirst();
    }
  }

  /** The agent is carrying out this command on the service (whoever issued it), until its result arrives. */
  void commandRunning(String service, String commandId) {
    commandRunning.put(service, commandId);
  }

  void commandFinished(String service, String commandId) {
    commandRunning.remove(service, commandId);
  }

  boolean commandRunning(String service) {
    return commandRunning.containsKey(service);
  }

  void service(ServiceInfo info) {
    services.put(info.name(), info);
  }

  String id() {
    return id;
  }

  boolean connected() {
    return connected;
  }

  void disconnected() {
    connected = false;
  }

  /** Heard from the agent (hello, reports or keepalive); returns whether it had been marked lost. */
  boolean heard(Instant now) {
    lastSeen = now;
    boolean wasLost = lost;
    lost = false;
    return wasLost;
  }

  /**
   * The coordinator itself was paused: the silence up to {@code now} is its own, not the agent's, so the agent's
   * wait to be called lost starts again from now.
   */
  void excuseSilenceUntil(Instant now) {
    if (!lost && lastSeen != null && lastSeen.isBefore(now)) {
      lastSeen = now;
    }
  }

  /**
   * As a coordinator before this one last knew the agent (its host and version, heard of at {@code seen}), for an
   * agent this one has not heard from itself.
   */
  void lastKnown(String knownHost, String knownVersion, Instant seen) {
    host = host == null ? knownHost : host;
    version = version == null ? knownVersion : version;
    if (lastSeen == null || lastSeen.isBefore(seen)) {
      lastSeen = seen;
    }
  }

  /** Marks the agent lost when silent longer than {@code lostAfter}; returns whether it just became lost. */
  boolean silentSince(Instant now, Duration lostAfter) {
    if (lost || lastSeen == null || Duration.between(lastSeen, now).compareTo(lostAfter) <= 0) {
      return false;
    }
    lost = true;
    return true;
  }

  boolean lost() {
    return lost;
  }

  /** A coordinator before this one called the agent lost, and it has not been heard of since: it stays lost. */
  void lostBefore() {
    lost = true;
  }

  /** Whether the coordinator may act on this agent's checks: connected, and not gone silent. */
  boolean reachable() {
    return connected && !lost;
  }

  Instant lastSeen() {
    return lastSeen;
  }

  void vitals(Keepalive keepalive) {
    vitals = keepalive;
  }

  long lastSeq() {
    return lastSeq;
  }

  Map<String, TrackedCheck> checks() {
    return checks;
  }

  ServiceInfo service(String name) {
    return services.get(name);
  }

  JsonArray servicesJson() {
    JsonArray serviceArray = new JsonArray();
    services.values().forEach(service -> serviceArray.add(service.toJson()));
    return serviceArray;
  }

  /** After a coordinator restart: the services as last announced, until the agent says hello again. */
  void restoreServices(JsonArray announced) {
    if (announced != null) {
      announced.forEach(item -> {
        ServiceInfo info = ServiceInfo.fromJson((JsonObject) item);
        services.put(info.name(), info);
      });
    }
  }

  /** Until when a person silenced this whole agent (null: not silenced). */
  Instant silencedUntil() {
    return silencedUntil;
  }

  void silencedUntil(Instant until) {
    silencedUntil = until;
  }

  /** Whether the check is silenced now, on its own or with its whole agent. */
  boolean silenced(TrackedCheck check, Instant now) {
    return after(silencedUntil, now) || after(check.silencedUntil(), now);
  }

  private static boolean after(Instant until, Instant now) {
    return until != null && until.isAfter(now);
  }

  long duplicates() {
    return duplicates;
  }

  long missing() {
    return missing;
  }

  /** The last keepalive's vitals, or null. */
  Keepalive vitals() {
    return vitals;
  }

  /** The last process events, oldest first. */
  Deque<ProcessEvent> recentEvents() {
    return recentEvents;
  }

  Collection<ServiceInfo> services() {
    return services.values();
  }

  /** How many restarts of the service this coordinator saw. */
  int restarts(String service) {
    return restarts.getOrDefault(service, 0);
  }
}
