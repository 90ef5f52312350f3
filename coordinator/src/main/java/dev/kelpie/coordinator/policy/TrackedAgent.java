package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** One agent: identity, connection, the last report sequence taken from it, its checks and services. */
final class TrackedAgent {

  private static final int RECENT_EVENTS = 50;

  private final String id;
  private final Map<String, TrackedCheck> checks = new LinkedHashMap<>();
  private final Map<String, ServiceInfo> services = new LinkedHashMap<>();
  private final Deque<ProcessEvent> recentEvents = new ArrayDeque<>();
  private final Map<String, String> commandRunning = new HashMap<>();
  private final Map<String, Integer> restarts = new HashMap<>();
  private final java.util.Set<String> stoppedOnce = new java.util.HashSet<>();
  private boolean lostAlerted;
  private String host;
  private String version;
  private boolean connected;
  private long lastSeq;
  private long duplicates;
  private long missing;
  private Instant lastSeen;
  private boolean lost;
  private Keepalive vitals;
  private Instant silencedUntil;
  private Object published;

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
        check = new TrackedCheck(id, spec);
      } else {
        check.announce(spec);
      }
      checks.put(spec.id(), check);
    });
    services.clear();
    hello.services().forEach(service -> services.put(service.name(), service));
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

  /** Whether an "agent lost" alert went out for the current loss (so "agent back" is sent when it returns). */
  boolean lostAlerted() {
    return lostAlerted;
  }

  void lostAlerted(boolean alerted) {
    lostAlerted = alerted;
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

  private JsonArray servicesWithRestarts() {
    JsonArray serviceArray = new JsonArray();
    services.values().forEach(service -> {
      JsonObject json = service.toJson().put("restarts", restarts.getOrDefault(service.name(), 0));
      if (service.startedAt() != null) {
        json.put("startedAtTime", service.startedAt().toString());   // startedAt stays epoch ms, for old clients
      }
      serviceArray.add(json);
    });
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

  /** Whether what the dashboard shows of this agent (connection, services, silence) changed since the last call. */
  boolean changedSincePublished() {
    Object key = java.util.Arrays.asList(host, connected, lost, silencedUntil, services.values().stream().toList(),
      recentEvents.peekLast());
    if (key.equals(published)) {
      return false;
    }
    published = key;
    return true;
  }

  JsonObject toJson() {
    JsonArray eventArray = new JsonArray();
    recentEvents.forEach(event -> eventArray.add(event.toJson().put("time", event.time().toString())));
    return new JsonObject()
      .put("agentId", id)
      .put("host", host)
      .put("version", version)
      .put("connected", connected)
      .put("lastSeq", lastSeq)
      .put("duplicatesDropped", duplicates)
      .put("missingReports", missing)
      .put("lost", lost)
      .put("lastSeen", lastSeen == null ? null : lastSeen.toString())
      .put("vitals", vitals == null ? null : vitals.toJson().put("time", vitals.time().toString()))
      .put("services", servicesWithRestarts())
      .put("silencedUntil", silencedUntil == null ? null : silencedUntil.toString())
      .put("recentEvents", eventArray);
  }
}
