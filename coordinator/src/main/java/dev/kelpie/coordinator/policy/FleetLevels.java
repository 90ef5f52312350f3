package dev.kelpie.coordinator.policy;

import dev.kelpie.shared.policy.CheckPhase;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The fleet's gauges (checks in each state, agents connected, disconnected and lost; open incidents, which the
 * journal counts), kept as running totals: an agent is counted again only when something of it may have changed (the
 * agents the dashboard compares), its earlier share taken off first, so reading the gauges costs what changed, not the
 * size of the fleet.
 */
final class FleetLevels {

  private static final CheckPhase[] PHASES = CheckPhase.values();
  private static final int LOST_CHECKS = PHASES.length;
  private static final int CONNECTED = LOST_CHECKS + 1;
  private static final int DISCONNECTED = CONNECTED + 1;
  private static final int LOST = DISCONNECTED + 1;
  private static final String[] NAMES = names();

  private final Journal journal;
  private final Map<TrackedAgent, int[]> counted = new IdentityHashMap<>();
  private final int[] totals = new int[NAMES.length];

  FleetLevels(Journal journal) {
    this.journal = journal;
  }

  /** Counts the agent as it stands now, in place of what it was counted as before. */
  void recount(TrackedAgent agent) {
    int[] share = counted.get(agent);
    if (share == null) {
      share = new int[NAMES.length];
      counted.put(agent, share);
    } else {
      add(share, -1);
      Arrays.fill(share, 0);
    }
    share[agent.connected() ? CONNECTED : DISCONNECTED] = 1;
    share[LOST] = agent.lost() ? 1 : 0;
    boolean reachable = agent.reachable();
    for (TrackedCheck check : agent.checks().values()) {
      share[reachable ? check.state().phase().ordinal() : LOST_CHECKS]++;
    }
    add(share, 1);
  }

  /** The agent is no longer tracked here. */
  void forget(TrackedAgent agent) {
    int[] share = counted.remove(agent);
    if (share != null) {
      add(share, -1);
    }
  }

  /** The totals by gauge name, only those above zero, as {@link FleetState#counts()} names them. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < totals.length; i++) {
      if (totals[i] != 0) {
        counts.put(NAMES[i], totals[i]);
      }
    }
    if (journal.openIncidents() != 0) {
      counts.put("incidents_open", journal.openIncidents());
    }
    return counts;
  }

  private void add(int[] share, int sign) {
    for (int i = 0; i < share.length; i++) {
      totals[i] += sign * share[i];
    }
  }

  private static String[] names() {
    String[] names = new String[LOST + 1];
    for (CheckPhase phase : PHASES) {
      names[phase.ordinal()] = "state." + Dashboard.phase(phase);
    }
    names[LOST_CHECKS] = "state." + Dashboard.AGENT_LOST;
    names[CONNECTED] = "agents_connected";
    names[DISCONNECTED] = "agents_disconnected";
    names[LOST] = "agents_lost";
    return names;
  }
}
