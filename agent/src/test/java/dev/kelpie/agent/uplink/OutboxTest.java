package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTest {

  private static ProbeResult result() {
    return ProbeResult.up("a", "c", Instant.EPOCH, Duration.ZERO, "ok");
  }

  private static List<Long> seqs(List<Report> reports) {
    return reports.stream().map(Report::seq).toList();
  }

  @Test
  @DisplayName("reports are numbered in order, sent in batches, and kept until acknowledged")
  void numberedBatchedKept() {
    Outbox outbox = new Outbox(100, 7);
    for (int i = 0; i < 5; i++) {
      outbox.add(result());
    }
    assertThat(seqs(outbox.nextBatch(3))).containsExactly(7L, 8L, 9L);
    assertThat(seqs(outbox.nextBatch(3))).containsExactly(10L, 11L);
    outbox.acknowledge(9);
    assertThat(outbox.size()).isEqualTo(2);
    assertThat(outbox.nextBatch(3)).isEmpty();
  }

  @Test
  @DisplayName("after a lost connection, what was in flight goes out again first, in order")
  void rewind() {
    Outbox outbox = new Outbox(100, 1);
    for (int i = 0; i < 4; i++) {
      outbox.add(result());
    }
    outbox.nextBatch(2);
    outbox.rewind();
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  @DisplayName("resuming after the coordinator's last sequence drops what it already holds")
  void resume() {
    Outbox outbox = new Outbox(100, 1);
    for (int i = 0; i < 4; i++) {
      outbox.add(result());
    }
    outbox.nextBatch(4);
    outbox.resumeAfter(2, false);
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(3L, 4L);
  }

  @Test
  @DisplayName("an agent that lost its numbering renumbers after what the coordinator holds, so nothing is taken for a replay")
  void renumber() {
    Outbox outbox = new Outbox(100, 1);
    outbox.add(result());
    outbox.add(result());
    outbox.resumeAfter(500, false);
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(501L, 502L);
    outbox.add(result());
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(503L);
  }

  @Test
  @DisplayName("when full, the oldest report is dropped and counted")
  void bounded() {
    Outbox outbox = new Outbox(3, 1);
    for (int i = 0; i < 5; i++) {
      outbox.add(result());
    }
    assertThat(outbox.dropped()).isEqualTo(2);
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(3L, 4L, 5L);
  }

  @Test
  @DisplayName("a batch the coordinator stored but whose acknowledgement was lost is neither sent again nor renumbered")
  void lostAcknowledgement() {
    Outbox outbox = new Outbox(100, 1);
    for (int i = 0; i < 4; i++) {
      outbox.add(result());
    }
    outbox.nextBatch(4);
    assertThat(outbox.resumeAfter(4, false)).isFalse();
    assertThat(outbox.size()).isZero();
    outbox.add(result());
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(5L);
  }

  @Test
  @DisplayName("a journal that lost its last writes: the reports recovered from it went out before the numbers the "
    + "coordinator is past, so they are dropped, not stored again under new ones; those numbered since are renumbered")
  void journalBehindTheCoordinator() {
    Outbox outbox = Outbox.journaled(100, 11, List.of(result().withSeq(9), result().withSeq(10)));
    outbox.add(result());   // 11, numbered before the hello: never sent
    assertThat(outbox.resumeAfter(15, false)).isTrue();
    outbox.durable(outbox.nextSeq() - 1);
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(16L);
  }

  @Test
  @DisplayName("an agent that started without state renumbers after the coordinator's last number, even a smaller one")
  void freshAgentRenumbers() {
    Outbox outbox = new Outbox(100, 1);
    for (int i = 0; i < 5; i++) {
      outbox.add(result());
    }
    assertThat(outbox.resumeAfter(3, true)).isTrue();
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(4L, 5L, 6L, 7L, 8L);
  }

  @Test
  @DisplayName("a journaled outbox sends a report only once it is durable, and keeps the numbers of what it recovered")
  void journaled() {
    Outbox outbox = Outbox.journaled(100, 8, List.of(result().withSeq(6), result().withSeq(7)));
    Report added = outbox.add(result());
    assertThat(added.seq()).isEqualTo(8);
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(6L, 7L);
    outbox.durable(8);
    assertThat(seqs(outbox.nextBatch(10))).containsExactly(8L);
  }
}
