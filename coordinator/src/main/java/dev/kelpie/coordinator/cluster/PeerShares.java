package dev.kelpie.coordinator.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The latest share of every other live coordinator, which the fleet rules add to their own counts. A share is dropped
 * when its node leaves the cluster or has not been heard for {@code staleAfter} (frozen, cut off: its agents move to
 * other nodes within the lease term, and would be counted twice). Alone, there are none: every sum is zero, every
 * acknowledgement given, and the rules count exactly what they counted before clustering.
 *
 * <p>Confined to the policy's event loop: the exchange puts what it receives there, the rules read it there.
 */
public final class PeerShares {

  private record Heard(FleetShare share, long atNanos) {
  }

  private static final FleetShare.Cause NO_CAUSE = new FleetShare.Cause(0, 0, 0, null, null);

  private final String self;
  private final long staleAfterNanos;
  private final Map<String, Heard> shares = new HashMap<>();
  private final Map<String, Long> membersSince = new HashMap<>();
  private long lastRetain;

  public PeerShares(String self, java.time.Duration staleAfter) {
    this.self = self;
    this.staleAfterNanos = staleAfter.toNanos();
  }

  /** No other node: what a coordinator alone sees. */
  public static PeerShares alone() {
    return new PeerShares("", java.time.Duration.ZERO);
  }

  public String self() {
    return self;
  }

  /** A share received at {@code atNanos}; an older version of a node than the one kept is ignored. */
  public boolean put(FleetShare share, long atNanos) {
    if (share.node() == null || share.node().equals(self)) {
      return false;
    }
    Heard before = shares.get(share.node());
    if (before != null && before.share().version() > share.version()) {
      return false;
    }
    shares.put(share.node(), new Heard(share, atNanos));
    return before == null || before.share().version() != share.version();
  }

  /**
   * Keeps the shares of {@code members} heard within {@code staleAfter} of {@code nowNanos}; names the dropped. A member
   * not heard yet is waited for ({@link #allHeard}) until it has been a member for {@code staleAfter}.
   */
  public List<String> retain(Collection<String> members, long nowNanos) {
    membersSince.keySet().retainAll(members);
    members.stream().filter(node -> !node.equals(self)).forEach(node -> membersSince.putIfAbsent(node, nowNanos));
    lastRetain = nowNanos;
    List<String> dropped = shares.entrySet().stream()
      .filter(e -> !members.contains(e.getKey()) || nowNanos - e.getValue().atNanos() > staleAfterNanos)
      .map(Map.Entry::getKey).toList();
    dropped.forEach(shares::remove);
    return dropped;
  }

  public boolean none() {
    return shares.isEmpty();
  }

  /** Whether another coordinator is in the cluster (heard or not): restarts then wait to be heard. */
  public boolean clustered() {
    return !shares.isEmpty() || !membersSince.isEmpty();
  }

  /** How many other nodes are counted. */
  public int nodes() {
    return shares.size();
  }

  /** The version of each other node's share held here: this node's acknowledgements. */
  public Map<String, Long> heard() {
    Map<String, Long> heard = new HashMap<>();
    shares.forEach((node, held) -> heard.put(node, held.share().version()));
    return heard;
  }

  /** Whether every other node has said it received this node's share of {@code version} (or a later one). */
  public boolean allHeard(long version) {
    boolean unheardNewcomer = membersSince.entrySet().stream().anyMatch(member -> !shares.containsKey(member.getKey())
      && lastRetain - member.getValue() <= staleAfterNanos);
    return !unheardNewcomer
      && shares.values().stream().allMatch(held -> held.share().heard().getOrDefault(self, -1L) >= version);
  }

  /** Restarts running on the other nodes. */
  public int running() {
    return sum(FleetShare::running);
  }

  public int runningIn(String group) {
    return sum(share -> share.runningIn().getOrDefault(group, 0));
  }

  /** Restarts waiting on the other nodes. */
  public int waiting() {
    return sum(FleetShare::waiting);
  }

  /**
   * Restarts waiting on the nodes that go before this one (a lower node id): this node lets them go first, so two nodes
   * that both want the last place never both take it. Nodes after this one wait for it in turn.
   */
  public int waitingBefore() {
    return sumBefore(FleetShare::waiting);
  }

  public int waitingBeforeIn(String group) {
    return sumBefore(share -> share.waitingIn().getOrDefault(group, 0));
  }

  /** The other nodes' hosts in a label group. */
  public int hostsIn(String group) {
    return sum(share -> share.hostsIn().getOrDefault(group, 0));
  }

  /** What the other nodes see of a shared cause, summed: failing, recent, hosts; since and release as any node has. */
  public FleetShare.Cause cause(String key) {
    if (shares.isEmpty()) {
      return NO_CAUSE;
    }
    int failing = 0;
    int recent = 0;
    int hosts = 0;
    String since = null;
    String by = null;
    for (Heard held : shares.values()) {
      FleetShare.Cause cause = held.share().failing().get(key);
      if (cause != null) {
        failing += cause.failing();
        recent += cause.recent();
        hosts += cause.hosts();
        since = cause.since() != null && (since == null || cause.since().compareTo(since) < 0) ? cause.since() : since;
        by = by == null ? cause.overriddenBy() : by;
      }
    }
    return new FleetShare.Cause(failing, recent, hosts, since, by);
  }

  /** Every shared cause some other node reports. */
  public java.util.Set<String> causes() {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    shares.values().forEach(held -> keys.addAll(held.share().failing().keySet()));
    return keys;
  }

  private int sum(ToIntFunction<FleetShare> count) {
    int total = 0;
    for (Heard held : shares.values()) {
      total += count.applyAsInt(held.share());
    }
    return total;
  }

  private int sumBefore(ToIntFunction<FleetShare> count) {
    int total = 0;
    for (Heard held : shares.values()) {
      if (held.share().node().compareTo(self) < 0) {
        total += count.applyAsInt(held.share());
      }
    }
    return total;
  }
}
