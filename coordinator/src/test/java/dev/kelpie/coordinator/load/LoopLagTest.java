package dev.kelpie.coordinator.load;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pressure the advice is decided from, on a real event loop: an idle loop runs its timers about on time, a loop
 * kept busy runs them late by about as long, and a loop stuck since the last take counts as late as its pending timer.
 * The busy loop is made busy on purpose here (a task that sleeps), as a saturated coordinator's loop would be.
 */
class LoopLagTest {

  private final Vertx vertx = Vertx.vertx();
  private final LoopLag lag = new LoopLag();
  private final Context loop = vertx.getOrCreateContext();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private void onLoop(Runnable task) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    loop.runOnContext(v -> {
      task.run();
      done.countDown();
    });
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static void busy(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  @DisplayName("an idle loop runs its timers about on time; one kept busy 400 ms at a time runs them that late")
  void busyLoopRunsLate() throws InterruptedException {
    onLoop(() -> lag.watch(vertx));
    Thread.sleep(1000);
    lag.takeWorstMillis();
    Thread.sleep(1000);
    assertThat(lag.takeWorstMillis()).as("idle").isLessThan(80);

    for (int i = 0; i < 3; i++) {
      onLoop(() -> busy(400));
    }
    assertThat(lag.takeWorstMillis()).as("busy").isGreaterThan(150);
  }

  @Test
  @DisplayName("a loop stuck since the last take counts as late as its pending timer is by now")
  void stuckLoopCountsItsPendingTimer() throws InterruptedException {
    onLoop(() -> lag.watch(vertx));
    Thread.sleep(300);
    CountDownLatch stuck = new CountDownLatch(1);
    loop.runOnContext(v -> {
      stuck.countDown();
      busy(1500);
    });
    assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
    lag.takeWorstMillis();
    Thread.sleep(1000);
    assertThat(lag.takeWorstMillis()).isGreaterThan(700);
  }
}
