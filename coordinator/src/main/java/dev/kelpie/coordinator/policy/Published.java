package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.ProcessEvent;
import dev.kelpie.shared.message.ServiceInfo;

import java.time.Instant;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the dashboard last published of each agent and check, to tell what changed since. The changes look at every
 * reporting agent each tick: the values are compared and updated in place, not made into a new list every time.
 */
final class Published {

  private final Map<TrackedAgent, ShownAgent> agents = new IdentityHashMap<>();
  private final Map<TrackedCheck, ShownCheck> checks = new IdentityHashMap<>();

  /** Takes the agent's shown values; whether any differs from those last taken (always, the first time). */
  boolean agentChanged(TrackedAgent agent) {
    return agents.computeIfAbsent(agent, a -> new ShownAgent()).update(agent);
  }

  /** Takes the check's shown values; whether any differs from those last taken (always, the first time). */
  boolean checkChanged(TrackedCheck check, String shown, int failures, Boolean lastUp, Instant silencedUntil,
                       String incidentId, int restartsUsed, CheckSpec spec, String hold) {
    return checks.computeIfAbsent(check, c -> new ShownCheck())
      .update(shown, failures, lastUp, silencedUntil, incidentId, restartsUsed, spec, hold);
  }

  void forget(TrackedCheck check) {
    checks.remove(check);
  }

  void forget(TrackedAgent agent) {
    agents.remove(agent);
  }

  /** An agent's host, connection, loss, silence, services and last process event. */
  private static final class ShownAgent {
    private boolean published;
    private String host;
    private boolean connected;
    private boolean lost;
    private Instant silencedUntil;
    private List<ServiceInfo> services = List.of();
    private ProcessEvent lastEvent;

    boolean update(TrackedAgent agent) {
      ProcessEvent last = agent.recentEvents().peekLast();
      if (published && Objects.equals(host, agent.host()) && connected == agent.connected() && lost == agent.lost()
        && Objects.equals(silencedUntil, agent.silencedUntil()) && sameServices(agent.services())
        && Objects.equals(lastEvent, last)) {
        return false;
      }
      published = true;
      host = agent.host();
      connected = agent.connected();
      lost = agent.lost();
      silencedUntil = agent.silencedUntil();
      services = List.copyOf(agent.services());
      lastEvent = last;
      return true;
    }

    private boolean sameServices(Collection<ServiceInfo> now) {
      if (now.size() != services.size()) {
        return false;
      }
      int i = 0;
      for (ServiceInfo service : now) {
        if (!service.equals(services.get(i++))) {
          return false;
        }
      }
      return true;
    }
  }

  /** A check's shown state, failures, last outcome, silence, incident, budget used, spec and hold. */
  private static final class ShownCheck {
    private boolean published;
    private String shown;
    private int failures;
    private Boolean lastUp;
    private Instant silencedUntil;
    private String incidentId;
    private int restartsUsed;
    private CheckSpec spec;
    private String hold;

    boolean update(String shownNow, int failuresNow, Boolean lastUpNow, Instant silencedUntilNow, String incidentNow,
                   int restartsUsedNow, CheckSpec specNow, String holdNow) {
      if (published && shownNow.equals(shown) && failuresNow == failures && Objects.equals(lastUpNow, lastUp)
        && Objects.equals(silencedUntilNow, silencedUntil) && Objects.equals(incidentNow, incidentId)
        && restartsUsedNow == restartsUsed && Objects.equals(specNow, spec) && Objects.equals(holdNow, hold)) {
        return false;
      }
      published = true;
      shown = shownNow;
      failures = failuresNow;
      lastUp = lastUpNow;
      silencedUntil = silencedUntilNow;
      incidentId = incidentNow;
      restartsUsed = restartsUsedNow;
      spec = specNow;
      hold = holdNow;
      return true;
    }
  }
}
