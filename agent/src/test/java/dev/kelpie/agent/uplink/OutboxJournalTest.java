package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The outbox journal on a real file system, read back by a new journal as a restarted agent would. */
class OutboxJournalTest {

  @TempDir
  Path stateDir;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static Report result(long seq) {
    return ProbeResult.up("a", "c", Instant.EPOCH.plusSeconds(seq), Duration.ofMillis(seq), "ok").withSeq(seq);
  }

  private OutboxJournal.Recovered reopen() {
    return new OutboxJournal(vertx, stateDir, 1 << 20).open("a").await();
  }

  private static List<Long> seqs(List<Report> reports) {
    return reports.stream().map(Report::seq).toList();
  }

  @Test
  @DisplayName("a new agent starts at 1 and says it has no state; a restarted one finds what was not acknowledged")
  void recoversWaitingReports() {
    OutboxJournal.Recovered first = reopen();
    assertThat(first.fresh()).isTrue();
    assertThat(first.nextSeq()).isEqualTo(1);

    OutboxJournal journal = new OutboxJournal(vertx, stateDir, 1 << 20);
    journal.open("a").await();
    for (long seq = 1; seq <= 5; seq++) {
      journal.append(result(seq)).await();
    }
    journal.acknowledged(3);
    journal.append(result(6)).await();
    // no close: the agent is killed here

    OutboxJournal.Recovered again = reopen();
    assertThat(again.fresh()).isFalse();
    assertThat(again.nextSeq()).isEqualTo(7);
    assertThat(seqs(again.waiting())).containsExactly(4L, 5L, 6L);
    assertThat(again.waiting().get(0)).isEqualTo(result(4));
  }

  @Test
  @DisplayName("a line cut short by a kill in the middle of a write is ignored, and its number used again")
  void truncatedLine() throws Exception {
    OutboxJournal journal = new OutboxJournal(vertx, stateDir, 1 << 20);
    journal.open("a").await();
    journal.append(result(1)).await();
    Files.writeString(stateDir.resolve("uplink/outbox.journal"), "{\"kind\":\"probe_res", StandardCharsets.UTF_8,
      StandardOpenOption.APPEND);

    OutboxJournal.Recovered again = reopen();
    assertThat(seqs(again.waiting())).containsExactly(1L);
    assertThat(again.nextSeq()).isEqualTo(2);
  }

  @Test
  @DisplayName("rewritten past its bound, the journal keeps only the waiting reports and the next number")
  void rewrite() throws Exception {
    OutboxJournal journal = new OutboxJournal(vertx, stateDir, 200);
    journal.open("a").await();
    for (long seq = 1; seq <= 10; seq++) {
      journal.append(result(seq)).await();
    }
    journal.acknowledged(9);
    assertThat(journal.oversized()).isTrue();
    journal.rewrite(12, List.of(result(10), result(11))).await();
    assertThat(journal.oversized()).isFalse();
    assertThat(Files.readAllLines(stateDir.resolve("uplink/outbox.journal"))).hasSize(3);

    OutboxJournal.Recovered again = reopen();
    assertThat(seqs(again.waiting())).containsExactly(10L, 11L);
    assertThat(again.nextSeq()).isEqualTo(12);
  }

  @Test
  @DisplayName("an agent upgraded from the numbering file goes on after its last number")
  void legacySequenceFile() throws Exception {
    Files.createDirectories(stateDir.resolve("uplink"));
    Files.writeString(stateDir.resolve("uplink/last-seq"), "41");
    OutboxJournal.Recovered recovered = reopen();
    assertThat(recovered.fresh()).isFalse();
    assertThat(recovered.nextSeq()).isEqualTo(42);
  }
}
