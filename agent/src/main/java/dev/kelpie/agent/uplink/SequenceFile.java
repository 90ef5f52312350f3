package dev.kelpie.agent.uplink;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;

import java.nio.file.Path;

/**
 * Keeps report numbering increasing across agent restarts without a write per report: a block of numbers is
 * reserved on disk ahead of use, so a crash skips at most one block and never reuses a number; a clean stop records
 * the exact last number, so the sequence goes on without a gap.
 */
final class SequenceFile {

  static final long BLOCK = 10_000;

  private final FileSystem fs;
  private final String file;
  private long reservedUpTo;
  private boolean writing;

  SequenceFile(Vertx vertx, Path stateDir) {
    this.fs = vertx.fileSystem();
    this.file = stateDir.resolve("uplink").resolve("last-seq").toString();
  }

  /** Reads the last number used (or reserved) and returns the first number to use now. */
  Future<Long> open() {
    String dir = Path.of(file).getParent().toString();
    return fs.mkdirs(dir)
      .compose(v -> fs.exists(file))
      .compose(exists -> exists ? fs.readFile(file).map(SequenceFile::parse) : Future.succeededFuture(0L))
      .compose(last -> reserve(last + 1).map(last + 1));
  }

  /** Called as numbers are used: reserves the next block while half of the current one is left. */
  void used(long seq) {
    if (!writing && seq > reservedUpTo - BLOCK / 2) {
      reserve(seq);
    }
  }

  Future<Void> close(long lastUsed) {
    return fs.writeFile(file, Buffer.buffer(Long.toString(lastUsed)));
  }

  private Future<Void> reserve(long from) {
    long upTo = from + BLOCK;
    writing = true;
    return fs.writeFile(file, Buffer.buffer(Long.toString(upTo)))
      .onSuccess(v -> reservedUpTo = upTo)
      .onComplete(done -> writing = false);
  }

  private static long parse(Buffer content) {
    try {
      return Long.parseLong(content.toString().trim());
    } catch (NumberFormatException e) {
      return 0L;
    }
  }
}
