package dev.kelpie.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's own stalls line: a loop held up is seen as late, and only while measuring. */
class GeneratorStallsTest {

  private static final Pattern LOOP = Pattern.compile("event loop (\\d) late p50 \\S+, p99 \\S+, max ([\\d.]+|NaN) ms");

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aLoopHeldUpShowsAsLate() throws Exception {
    GeneratorStalls stalls = GeneratorStalls.watch(vertx);
    holdALoop(300);   // before measuring: not counted
    stalls.measuring(true);
    Thread.sleep(100);
    holdALoop(300);
    Thread.sleep(100);   // the probe's next run, after the hold, records it
    stalls.measuring(false);
    stalls.stop();

    String line = stalls.line();
    Matcher loops = LOOP.matcher(line);
    double worst = 0;
    int seen = 0;
    while (loops.find()) {
      seen++;
      worst = Math.max(worst, Double.parseDouble(loops.group(2)));
    }
    assertEquals(2, seen, line);
    assertTrue(worst >= 250 && worst < 600, "one hold of 300 ms, counted once: " + line);
    assertTrue(line.contains("collector pauses"), line);   // "no collector pauses" or how many
  }

  @Test
  void nothingCountedWhileNotMeasuring() throws Exception {
    GeneratorStalls stalls = GeneratorStalls.watch(vertx);
    holdALoop(200);
    stalls.stop();
    String line = stalls.line();
    assertTrue(line.contains("no collector pauses"), line);
    assertTrue(line.contains("event loop 0 late p50 NaN") && line.contains("event loop 1 late p50 NaN"), line);
  }

  /** Blocks one of the loops (the context's) for {@code millis}, as a burst of the agents' work would. */
  private void holdALoop(long millis) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    vertx.getOrCreateContext().runOnContext(v -> {
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      held.countDown();
    });
    assertTrue(held.await(5, TimeUnit.SECONDS));
  }
}
