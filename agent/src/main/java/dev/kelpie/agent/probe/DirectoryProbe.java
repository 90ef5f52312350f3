package dev.kelpie.agent.probe;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The size of a folder's files, by a walk on a worker that follows no links, stops at the entry bound and at the
 * check's timeout. Meant for local folders: a folder on a mount that may hang wants a mount check of its own.
 */
final class DirectoryProbe implements Probe {

  private final Vertx vertx;
  private final DirectoryTarget target;

  DirectoryProbe(DirectoryTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.target = target;
  }

  /** What one walk has counted so far; written by the worker, read by it at the end. */
  private static final class Walk {
    final AtomicBoolean cancelled = new AtomicBoolean();
    long bytes;
    int entries;
    boolean cut;
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    Walk walk = new Walk();
    cancellation.onCancel(() -> walk.cancelled.set(true));
    return vertx.executeBlocking(() -> walk(walk), false)
      .otherwise(failure -> Finding.down("cannot walk " + target.path() + ": " + failure.getMessage()));
  }

  private Finding walk(Walk walk) throws IOException {
    if (!Files.isDirectory(target.path())) {
      return Finding.down(target.path() + " is not a directory");
    }
    Files.walkFileTree(target.path(), new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return next(walk);
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        walk.bytes += attrs.isRegularFile() ? attrs.size() : 0;
        return next(walk);
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException failure) {
        return next(walk);
      }
    });
    String size = DiskProbe.bytes(walk.bytes);
    if (walk.cut) {
      return Finding.down("more than " + target.maxEntries() + " entries under " + target.path()
        + " (at least " + size + "); walk stopped at maxEntries");
    }
    return walk.bytes > target.maxSizeBytes()
      ? Finding.down(target.path() + " holds " + size + ", over " + DiskProbe.bytes(target.maxSizeBytes())
        + " (" + walk.entries + " entries)")
      : Finding.up(target.path() + " holds " + size + " in " + walk.entries + " entries");
  }

  private FileVisitResult next(Walk walk) {
    if (++walk.entries > target.maxEntries()) {
      walk.cut = true;
      return FileVisitResult.TERMINATE;
    }
    return walk.cancelled.get() ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
  }
}
