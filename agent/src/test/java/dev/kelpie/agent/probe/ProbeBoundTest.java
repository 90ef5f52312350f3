package dev.kelpie.agent.probe;

import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The runner, not the probe, decides when a probe has taken too long. */
class ProbeBoundTest {

  private final Vertx serverVertx = Vertx.vertx();
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
    serverVertx.close().await();
  }

  @Test
  @DisplayName("an HTTP answer that trickles forever is cut at the check's timeout, reported as a timeout, "
    + "and the check's next runs keep their interval")
  void tricklingAnswerIsBounded() {
    AtomicInteger open = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    HttpServer server = serverVertx.createHttpServer().requestHandler(request -> {
      open.incrementAndGet();
      request.connection().closeHandler(v -> closed.incrementAndGet());
      request.response().setChunked(true).write("{");
      long timer = serverVertx.setPeriodic(50, id -> request.response().write(" "));
      request.connection().closeHandler(v -> {
        closed.incrementAndGet();
        serverVertx.cancelTimer(timer);
      });
    });
    int port = server.listen(0, "127.0.0.1").await().actualPort();

    harness = new ProbeHarness("checks:\n  - {id: slow, type: http, url: \"http://127.0.0.1:" + port
      + "/health\", interval: 600ms, timeout: 300ms}\n");
    List<ProbeResult> results = harness.await("slow", 5);

    assertThat(results).allSatisfy(result -> {
      assertThat(result.outcome()).isEqualTo(Outcome.DOWN);
      assertThat(result.detail()).isEqualTo("no result within 300ms; probe cancelled");
    });
    List<ProbeResult> warm = results.subList(1, 5);
    assertThat(warm).allSatisfy(result ->
      assertThat(result.latency()).isBetween(Duration.ofMillis(290), Duration.ofMillis(700)));
    assertThat(gaps(warm)).allSatisfy(gap -> assertThat(gap).isBetween(Duration.ofMillis(550),
      Duration.ofMillis(1000)));
    harness.awaitResults("slow", list -> closed.get() >= open.get() - 1);
  }

  @Test
  @DisplayName("a probe that ignores its cancellation is never run twice at once: "
    + "its check reports down at every tick until that run ends")
  void runawayProbeDoesNotOverlap() {
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger cancels = new AtomicInteger();
    Promise<Probe.Finding> never = Promise.promise();
    ProbeKind<TcpTarget> stuck = new ProbeKind<>(CheckType.of("tcp"), TcpTarget.class, TcpTarget.KEYS,
      TcpTarget::read, (target, tools) -> cancellation -> {
        runs.incrementAndGet();
        cancellation.onCancel(cancels::incrementAndGet);
        return never.future();
      });
    harness = new ProbeHarness("checks:\n  - {id: stuck, type: tcp, port: 9, interval: 300ms, timeout: 100ms}\n",
      new ProbeKinds(List.of(stuck)));

    List<ProbeResult> results = harness.await("stuck", 4);

    assertThat(results.get(0).detail()).isEqualTo("no result within 100ms; probe cancelled");
    assertThat(results.subList(1, 4)).extracting(ProbeResult::detail)
      .containsOnly("the previous probe, cancelled at its timeout, has still not ended");
    assertThat(gaps(results.subList(1, 4))).allSatisfy(gap -> assertThat(gap).isBetween(Duration.ofMillis(250),
      Duration.ofMillis(700)));
    assertThat(runs).hasValue(1);
    assertThat(cancels).hasValue(1);

    harness.vertx.runOnContext(v -> never.complete(Probe.Finding.up("at last")));
    harness.awaitResults("stuck", list -> list.get(list.size() - 1).up());
    assertThat(runs.get()).isGreaterThan(1);
  }

  private static List<Duration> gaps(List<ProbeResult> results) {
    List<Duration> gaps = new ArrayList<>();
    for (int i = 1; i < results.size(); i++) {
      gaps.add(Duration.between(results.get(i - 1).time(), results.get(i).time()));
    }
    return gaps;
  }
}
