package dev.kelpie.agent.uplink;

import dev.kelpie.shared.message.MessageFormatException;
import dev.kelpie.shared.message.Report;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The outbox on disk, so an agent killed at any instant loses no report it numbered and skips no number: a report is
 * appended (one JSON line) before it may leave, an acknowledgement is appended once received, and a restarted agent
 * reads back its next number and every report not yet acknowledged. Rewritten with only the waiting reports once it
 * grows past a bound. Writes are chained, so they reach the file in the order they were asked for.
 */
final class OutboxJournal {

  /** What a restarted agent finds: the next number to use, the reports still waiting, and whether it had any state. */
  record Recovered(long nextSeq, List<Report> waiting, boolean fresh) {
  }

  private static final Logger log = LoggerFactory.getLogger(OutboxJournal.class);
  private static final OpenOptions APPEND = new OpenOptions().setWrite(true).setCreate(true).setAppend(true);

  private final Vertx vertx;
  private final FileSystem fs;
  private final Path file;
  private final Path legacySequence;
  private final long rewriteAfterBytes;
  private AsyncFile out;
  private Future<Void> tail = Future.succeededFuture();
  private long bytes;
  private long bytesAfterRewrite;
  private boolean rewriting;

  OutboxJournal(Vertx vertx, Path stateDir, long rewriteAfterBytes) {
    this.vertx = vertx;
    this.fs = vertx.fileSystem();
    Path dir = stateDir.resolve("uplink");
    this.file = dir.resolve("outbox.journal");
    this.legacySequence = dir.resolve("last-seq");
    this.rewriteAfterBytes = rewriteAfterBytes;
  }

  /** Reads what an earlier run left (on a worker: the file may be megabytes), then opens the journal for appending. */
  Future<Recovered> open(String agentId) {
    return vertx.executeBlocking(() -> read(agentId), false)
      .compose(recovered -> rewrite(recovered.nextSeq(), recovered.waiting()).map(recovered));
  }

  /** Appends the report; the future completes once the line is in the file (so the report may leave). */
  Future<Void> append(Report report) {
    return write(report.toJson().encode());
  }

  /** Appends the reports in one write; the future completes once every line is in the file. */
  Future<Void> append(List<Report> reports) {
    if (reports.size() == 1) {
      return append(reports.get(0));
    }
    StringBuilder lines = new StringBuilder(reports.size() * 160);
    reports.forEach(report -> lines.append(report.toJson().encode()).append('\n'));
    return write(Buffer.buffer(lines.toString()));
  }

  /** Everything up to {@code seq} is stored at the coordinator. */
  void acknowledged(long seq) {
    write(new JsonObject().put("ack", seq).encode());
  }

  /**
   * Whether the journal has grown past its bound, and to twice what its last rewrite left (so a long outage's backlog
   * is not rewritten on every acknowledgement), and should be {@linkplain #rewrite rewritten}.
   */
  boolean oversized() {
    return bytes > Math.max(rewriteAfterBytes, 2 * bytesAfterRewrite) && !rewriting;
  }

  /**
   * Replaces the journal with one holding only {@code waiting} (with their numbers as they are now) and the next
   * number; written to a temporary file and moved over the old one, so a crash leaves one or the other whole.
   */
  Future<Void> rewrite(long nextSeq, Collection<Report> waiting) {
    StringBuilder content = new StringBuilder(new JsonObject().put("next", nextSeq).encode()).append('\n');
    waiting.forEach(report -> content.append(report.toJson().encode()).append('\n'));
    Buffer buffer = Buffer.buffer(content.toString());
    String temporary = file + ".new";
    rewriting = true;
    Future<Void> done = tail.transform(previous -> closeOut())
      .compose(v -> fs.writeFile(temporary, buffer))
      .compose(v -> fs.move(temporary, file.toString(), new CopyOptions().setReplaceExisting(true)
        .setAtomicMove(true)))
      .compose(v -> fs.open(file.toString(), APPEND))
      .map(opened -> {
        out = opened;
        bytes = buffer.length();
        bytesAfterRewrite = buffer.length();
        return (Void) null;
      })
      .eventually(() -> {
        rewriting = false;
        return Future.succeededFuture();
      });
    tail = done.otherwiseEmpty();
    return done;
  }

  Future<Void> close() {
    Future<Void> closed = tail.transform(previous -> closeOut());
    tail = closed.otherwiseEmpty();
    return closed;
  }

  private Future<Void> write(String line) {
    return write(Buffer.buffer(line.length() + 1).appendString(line).appendByte((byte) '\n'));
  }

  private Future<Void> write(Buffer buffer) {
    bytes += buffer.length();
    Future<Void> written = tail.transform(previous -> out == null
      ? Future.failedFuture("the outbox journal is not open")
      : out.write(buffer));
    tail = written.otherwiseEmpty();
    return written;
  }

  private Future<Void> closeOut() {
    AsyncFile closing = out;
    out = null;
    return closing == null ? Future.succeededFuture() : closing.close();
  }

  private Recovered read(String agentId) throws IOException {
    if (!Files.exists(file)) {
      Files.createDirectories(file.getParent());
      if (Files.exists(legacySequence)) {
        long last = parseLong(Files.readString(legacySequence, StandardCharsets.UTF_8).trim());
        return new Recovered(last + 1, List.of(), false);
      }
      return new Recovered(1, List.of(), true);
    }
    long next = 1;
    long acknowledged = 0;
    TreeMap<Long, Report> reports = new TreeMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonObject json = new JsonObject(line);
        if (json.containsKey("ack")) {
          acknowledged = Math.max(acknowledged, json.getLong("ack"));
        } else if (json.containsKey("next")) {
          next = Math.max(next, json.getLong("next"));
        } else {
          Report report = Report.fromJson(json);
          reports.put(report.seq(), report);
          next = Math.max(next, report.seq() + 1);
        }
      } catch (DecodeException | MessageFormatException | ClassCastException e) {
        // the last line may be cut short by a kill in the middle of a write: that report never left
        if (i < lines.size() - 1) {
          log.atWarn().addKeyValue("agent", agentId).log("{}: line {} is not a report; skipped ({})", file, i + 1,
            e.getMessage());
        }
      }
    }
    next = Math.max(next, acknowledged + 1);
    List<Report> waiting = new ArrayList<>(reports.tailMap(acknowledged, false).values());
    return new Recovered(next, waiting, false);
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
