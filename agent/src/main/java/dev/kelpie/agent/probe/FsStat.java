package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * statfs(2) of one path, asked by a child {@code stat -f}: a mount that never answers (a stopped FUSE daemon, an
 * NFS server gone) blocks only that child, which is killed at the bound. One path has at most one child at a time:
 * while a killed child has not exited yet (unkillable in the kernel), no other is started and the answer is "hung"
 * at once, so a mount that stays hung piles up neither processes nor threads.
 */
final class FsStat {

  private static final File NO_INPUT = new File("/dev/null");
  /** How long a run waits for the child killed by the run before it to be gone. */
  private static final Duration REAP_GRACE = Duration.ofMillis(100);

  /** What statfs says, in bytes and inodes; inode counts are 0 on file systems that have none (FUSE, btrfs). */
  record Usage(long totalBytes, long freeBytes, long availableBytes, long totalInodes, long freeInodes) {

    long usedBytes() {
      return totalBytes - freeBytes;
    }

    /** Used space as df shows it: of what a non-root user could have, the root-reserved blocks left out. */
    double usedPercent() {
      long room = usedBytes() + availableBytes;
      return room <= 0 ? 0 : 100.0 * usedBytes() / room;
    }

    /** Used inodes in percent, or null when the file system has no inode count. */
    Double inodesPercent() {
      return totalInodes <= 0 ? null : 100.0 * (totalInodes - freeInodes) / totalInodes;
    }
  }

  /** statfs gave no answer within the bound, or the last child asked has still not exited. */
  static final class Hung extends Exception {
    Hung(String message) {
      super(message, null, false, false);
    }
  }

  private final Vertx vertx;
  private final Path path;
  private Process stuck;
  private long stuckSinceNanos;

  FsStat(Vertx vertx, Path path) {
    this.vertx = vertx;
    this.path = path;
  }

  /** The usage, or a failure: {@link Hung}, or the child's own words (no such path, not permitted). Call on the verticle's context. */
  Future<Usage> read(Duration bound, Cancellation cancellation) {
    if (stuck == null || !stuck.isAlive()) {
      return ask(bound, cancellation);
    }
    Process killed = stuck;
    return Future.fromCompletionStage(killed.onExit(), vertx.getOrCreateContext())
      .timeout(REAP_GRACE.toMillis(), TimeUnit.MILLISECONDS)
      .transform(reaped -> reaped.succeeded() ? ask(bound.minus(REAP_GRACE), cancellation)
        : Future.failedFuture(new Hung("hung: the statfs of " + path + " killed "
          + Durations.human(Duration.ofMillis((System.nanoTime() - stuckSinceNanos) / 1_000_000))
          + " ago has still not ended (pid " + killed.pid() + "); no other is started until it does")));
  }

  /** The bound counts from now, the spawn included: a child slow to start is killed as soon as it has started. */
  private Future<Usage> ask(Duration bound, Cancellation cancellation) {
    stuck = null;
    Promise<Usage> answer = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, bound.toMillis()), id ->
      answer.tryFail(new Hung("hung: statfs of " + path + " gave no answer within " + Durations.human(bound))));
    cancellation.onCancel(() -> answer.tryFail(new Hung("hung: statfs of " + path + " was cancelled")));
    vertx.executeBlocking(this::start, false).onComplete(started -> {
      if (started.failed()) {
        vertx.cancelTimer(timer);
        answer.tryFail(started.cause());
        return;
      }
      Process process = started.result();
      answer.future().onFailure(failure -> {
        if (process.isAlive()) {
          kill(process);
        }
      });
      Future.fromCompletionStage(process.onExit(), vertx.getOrCreateContext())
        .compose(exited -> vertx.executeBlocking(() ->
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip(), false))
        .onComplete(output -> {
          vertx.cancelTimer(timer);
          if (output.failed()) {
            answer.tryFail(output.cause());
          } else if (process.exitValue() != 0) {
            answer.tryFail(new IOException(output.result().isEmpty() ? "stat -f " + path + " exited with "
              + process.exitValue() : output.result().lines().findFirst().orElse("")));
          } else {
            parse(output.result(), answer);
          }
        });
    });
    return answer.future();
  }

  private Process start() throws IOException {
    return new ProcessBuilder(List.of("stat", "--file-system", "--format=%b %f %a %S %c %d", path.toString()))
      .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT)).start();
  }

  private void kill(Process process) {
    stuck = process;
    stuckSinceNanos = System.nanoTime();
    process.destroyForcibly();
  }

  private void parse(String line, Promise<Usage> answer) {
    String[] fields = line.split("\\s+");
    try {
      long blocks = Long.parseLong(fields[0]);
      long free = Long.parseLong(fields[1]);
      long available = Long.parseLong(fields[2]);
      long blockSize = Long.parseLong(fields[3]);
      answer.tryComplete(new Usage(blocks * blockSize, free * blockSize, available * blockSize,
        Long.parseLong(fields[4]), Long.parseLong(fields[5])));
    } catch (RuntimeException e) {
      answer.tryFail(new IOException("cannot read stat -f's answer \"" + line + "\""));
    }
  }
}
