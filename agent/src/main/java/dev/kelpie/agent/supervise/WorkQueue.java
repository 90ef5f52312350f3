package dev.kelpie.agent.supervise;

import io.vertx.core.Future;

import java.util.function.Supplier;

/** One service's work in order: each piece starts once everything queued before it has finished, well or not. */
final class WorkQueue {

  private Future<?> last = Future.succeededFuture();

  <T> Future<T> enqueue(Supplier<Future<T>> work) {
    Future<T> next = last.transform(previous -> {
      try {
        return work.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    last = next;
    return next;
  }
}
