package dev.kelpie.coordinator.cluster;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The arithmetic of the other coordinators' shares: sums, who goes first, acknowledgements, leaving and silence. */
class PeerSharesTest {

  private static final long SECOND = 1_000_000_000L;

  private static FleetShare share(String node, long version, Map<String, Long> heard, int running, int waiting,
                                  Map<String, FleetShare.Cause> failing) {
    return new FleetShare(node, version, heard, running, Map.of("role=web", running), waiting,
      Map.of("role=web", waiting), Map.of("role=web", 10), failing);
  }

  @Test
  @DisplayName("the others' restarts running and their hosts per group are summed; waiting ones count only from the"
    + " nodes before this one (a lower id), so the node after lets them go first")
  void sums() {
    PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
    peers.put(share("a", 1, Map.of(), 2, 3, Map.of()), 0);
    peers.put(share("z", 1, Map.of(), 1, 4, Map.of()), 0);

    assertThat(peers.running()).isEqualTo(3);
    assertThat(peers.runningIn("role=web")).isEqualTo(3);
    assertThat(peers.runningIn("role=db")).isZero();
    assertThat(peers.hostsIn("role=web")).isEqualTo(20);
    assertThat(peers.waiting()).isEqualTo(7);
    assertThat(peers.waitingBefore()).isEqualTo(3);
    assertThat(peers.waitingBeforeIn("role=web")).isEqualTo(3);
    assertThat(peers.nodes()).isEqualTo(2);
  }

  @Test
  @DisplayName("a shared cause: each node's failing, recent and hosts summed, the earliest since, any release")
  void causes() {
    PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
    peers.put(share("a", 1, Map.of(), 0, 0, Map.of("check:db",
      new FleetShare.Cause(2, 1, 5, "2026-01-01T10:00:05Z", null))), 0);
    peers.put(share("b", 1, Map.of(), 0, 0, Map.of("check:db",
      new FleetShare.Cause(3, 3, 4, "2026-01-01T10:00:01Z", "alice"), "target:10.0.0.9",
      new FleetShare.Cause(1, 1, 0, null, null))), 0);

    assertThat(peers.cause("check:db")).isEqualTo(new FleetShare.Cause(5, 4, 9, "2026-01-01T10:00:01Z", "alice"));
    assertThat(peers.cause("check:none")).isEqualTo(new FleetShare.Cause(0, 0, 0, null, null));
    assertThat(peers.causes()).containsExactly("check:db", "target:10.0.0.9");
  }

  @Test
  @DisplayName("a version is heard when every other node acknowledged it or a later one; alone, always")
  void acknowledgements() {
    PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
    assertThat(peers.allHeard(7)).as("alone").isTrue();
    peers.put(share("a", 1, Map.of("m", 7L), 0, 0, Map.of()), 0);
    peers.put(share("b", 1, Map.of(), 0, 0, Map.of()), 0);
    assertThat(peers.allHeard(7)).as("b has not heard of m").isFalse();
    peers.put(share("b", 1, Map.of("m", 8L), 0, 0, Map.of()), 0);
    assertThat(peers.allHeard(7)).isTrue();
    assertThat(peers.allHeard(9)).isFalse();
    assertThat(peers.heard()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 1L));
  }

  @Test
  @DisplayName("a newer version replaces a node's share, an older one is ignored, this node's own is never counted;"
    + " put says whether the version is new (an acknowledgement to send)")
  void versions() {
    PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
    assertThat(peers.put(share("a", 2, Map.of(), 2, 0, Map.of()), 0)).isTrue();
    assertThat(peers.put(share("a", 1, Map.of(), 5, 0, Map.of()), 0)).isFalse();
    assertThat(peers.running()).isEqualTo(2);
    assertThat(peers.put(share("a", 2, Map.of(), 1, 0, Map.of()), 0)).as("same version, fresher counts").isFalse();
    assertThat(peers.running()).isEqualTo(1);
    assertThat(peers.put(share("m", 9, Map.of(), 4, 0, Map.of()), 0)).isFalse();
    assertThat(peers.running()).isEqualTo(1);
  }

  @Test
  @DisplayName("a node that left the cluster, or was not heard for staleAfter, is no longer counted")
  void leavingAndSilence() {
    PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
    peers.put(share("a", 1, Map.of(), 1, 0, Map.of()), 0);
    peers.put(share("b", 1, Map.of(), 2, 0, Map.of()), 2 * SECOND);
    peers.put(share("c", 1, Map.of(), 4, 0, Map.of()), 2 * SECOND);

    assertThat(peers.retain(List.of("m", "a", "b", "c"), 3 * SECOND)).isEmpty();
    assertThat(peers.retain(List.of("m", "a", "b"), 4 * SECOND)).containsExactlyInAnyOrder("a", "c");
    assertThat(peers.running()).isEqualTo(2);
    assertThat(peers.allHeard(1)).as("b never heard this node").isFalse();
    assertThat(peers.retain(List.of("m", "b"), 10 * SECOND)).containsExactly("b");
    assertThat(peers.none()).isTrue();
    assertThat(peers.allHeard(1)).as("b, silent, is no longer waited for").isTrue();
  }

  @Test
  @DisplayName("a member not heard yet (it just joined) is waited for, for at most staleAfter; alone, nothing is")
  void newcomer() {
    PeerShares peers = new PeerShares("m", Duration.ofSeconds(3));
    assertThat(peers.clustered()).isFalse();
    peers.retain(List.of("m"), 0);
    assertThat(peers.clustered()).isFalse();
    peers.retain(List.of("m", "n"), SECOND);
    assertThat(peers.clustered()).isTrue();
    assertThat(peers.allHeard(0)).isFalse();
    peers.retain(List.of("m", "n"), 3 * SECOND);
    assertThat(peers.allHeard(0)).isFalse();
    peers.retain(List.of("m", "n"), 5 * SECOND);
    assertThat(peers.allHeard(0)).as("never heard within staleAfter: not waited for").isTrue();
    assertThat(PeerShares.alone().clustered()).isFalse();
  }

  @Test
  @DisplayName("a share survives the clustered bus: its JSON form reads back the same")
  void json() {
    FleetShare share = new FleetShare("a", 4, Map.of("b", 9L), 2, Map.of("role=web", 2), 1, Map.of("role=web", 1),
      Map.of("role=web", 12, "role=db", 3), Map.of("check:db", new FleetShare.Cause(3, 2, 12, "2026-01-01T10:00:00Z",
      null)));
    assertThat(FleetShare.fromJson(new io.vertx.core.json.JsonObject(share.toJson().encode()))).isEqualTo(share);
  }
}
