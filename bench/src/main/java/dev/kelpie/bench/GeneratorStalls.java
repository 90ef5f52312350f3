package dev.kelpie.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the load generator itself stalls for while it measures: its collector's pauses and how late its event loops run
 * a timer. The simulated agents share one JVM, so a pause of its collector holds every agent at once, and a frame or an
 * acknowledgement it holds counts in the report -> acknowledgement and crossing -> command times it prints, although
 * real agents, each on its own host, would not stall together. These figures say how much of a tail is the generator's.
 */
final class GeneratorStalls {

  /** How often each loop's timer is asked to run: late runs are its loop's lag. */
  private static final long EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final List<Long> pauses = new ArrayList<>();
  private final List<List<Long>> lateness = new ArrayList<>();
  private final List<Runnable> stops = new ArrayList<>();
  private volatile boolean measuring;
  private volatile boolean stopped;

  /** Starts watching {@code vertx}'s event loops and this JVM's collectors; nothing is counted until {@link #measuring}. */
  static GeneratorStalls watch(Vertx vertx) {
    GeneratorStalls stalls = new GeneratorStalls();
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      List<Long> late = new ArrayList<>();   // written on its loop, copied by line() under its lock
      stalls.lateness.add(late);
      stalls.probe(loop, late, System.nanoTime() + EVERY_NANOS);
    }
    NotificationListener listener = stalls::collected;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        stalls.stops.add(() -> {
          try {
            emitter.removeNotificationListener(listener);
          } catch (javax.management.ListenerNotFoundException ignored) {
            // never added: nothing to remove
          }
        });
      }
    }
    return stalls;
  }

  private void probe(EventExecutor loop, List<Long> late, long due) {
    loop.schedule(() -> {
      long now = System.nanoTime();
      if (measuring) {
        synchronized (late) {
          late.add(Math.max(0, now - due));
        }
      }
      if (!stopped) {
        probe(loop, late, now + EVERY_NANOS);
      }
    }, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /**
   * Only pauses: the young and full collections the JVM reports (on Java 17, G1's remark and cleanup pauses are not
   * among them; they are short), not the concurrent collectors' cycles.
   */
  private void collected(Notification notification, Object handback) {
    if (!measuring || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
      (CompositeData) notification.getUserData());
    if (info.getGcName().contains("Cycles") || info.getGcName().contains("Concurrent")) {
      return;   // ZGC's and Shenandoah's concurrent cycles are not pauses
    }
    synchronized (pauses) {
      pauses.add(TimeUnit.MILLISECONDS.toNanos(info.getGcInfo().getDuration()));
    }
  }

  void measuring(boolean on) {
    measuring = on;
  }

  void stop() {
    stopped = true;
    stops.forEach(Runnable::run);
  }

  /** One line: the generator's pauses and each of its loops' lateness over the measured time. */
  String line() {
    List<Long> copy;
    synchronized (pauses) {
      copy = new ArrayList<>(pauses);
    }
    copy.sort(null);
    long total = copy.stream().mapToLong(Long::longValue).sum();
    StringBuilder line = new StringBuilder("generator's own stalls (in every time above; real agents do not stall "
      + "together): " + (copy.isEmpty() ? "no collector pauses" : String.format("%d collector pauses, %.0f ms in all, "
        + "the longest %.1f ms", copy.size(), total / 1e6, FleetTally.percentileMillis(copy, 1.0))));
    for (int i = 0; i < lateness.size(); i++) {
      List<Long> late;
      synchronized (lateness.get(i)) {
        late = new ArrayList<>(lateness.get(i));
      }
      late.sort(null);
      line.append(String.format("; event loop %d late p50 %.1f, p99 %.1f, max %.1f ms", i,
        FleetTally.percentileMillis(late, 0.5), FleetTally.percentileMillis(late, 0.99),
        FleetTally.percentileMillis(late, 1.0)));
    }
    return line.toString();
  }
}
