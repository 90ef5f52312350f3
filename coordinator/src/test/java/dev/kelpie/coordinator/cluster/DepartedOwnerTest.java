package dev.kelpie.coordinator.cluster;

import dev.kelpie.coordinator.cluster.CoordinatorCluster.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.kelpie.coordinator.cluster.CoordinatorCluster.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A takeover that does not wait out the dead node's lease: two real coordinator processes with a lease term far
 * longer than a takeover may take, a real agent on one of them, that node killed -9.
 */
class DepartedOwnerTest {

  private static final String AGENT = "ag-departed";
  private static final Duration TERM = Duration.ofSeconds(30);

  @RegisterExtension
  final CoordinatorCluster.LogsOnFailure logs = new CoordinatorCluster.LogsOnFailure();

  private CoordinatorCluster cluster;

  @TempDir
  Path dir;

  @BeforeEach
  void start() {
    cluster = logs.watch(new CoordinatorCluster(dir, List.of(AGENT)).leaseTerm(TERM.toSeconds() + "s"));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  @DisplayName("a coordinator killed -9 under a 30 s lease term: the other takes its agent as soon as the cluster sees "
    + "it leave, long before the lease runs out, with a higher token")
  void takenWhenTheOwnerLeaves() throws Exception {
    List<Node> nodes = cluster.start(2);
    Node a = nodes.get(0);
    Node b = nodes.get(1);
    cluster.startAgent(AGENT, List.of(a, b), "checks:\n  - {id: alive, type: process, service: svc, interval: 500ms}\n");
    Lease first = await(() -> cluster.holder(AGENT, a.id()), Duration.ofSeconds(60), "the agent owned by a");

    a.process().destroyForcibly();
    Instant killed = Instant.now();
    Lease moved = await(() -> cluster.holder(AGENT, b.id()), TERM.plusSeconds(10), "the agent owned by b");
    Duration took = Duration.between(killed, Instant.now());
    System.out.println("departed owner: agent owned by the other node " + took.toMillis() + " ms after kill -9 "
      + "(lease term " + TERM.toSeconds() + " s)");

    assertThat(moved.epoch()).as("the new token").isGreaterThan(first.epoch());
    assertThat(took).as("owned again, not waiting out the lease").isLessThan(TERM.dividedBy(3));
  }
}
