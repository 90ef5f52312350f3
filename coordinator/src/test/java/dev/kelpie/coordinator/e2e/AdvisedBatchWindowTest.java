package dev.kelpie.coordinator.e2e;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.ReportBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real agent and a real coordinator whose advice is forced by its config ({@code gateway.batchWindowAdvice} with a
 * minimum): the agent lingers routine results for the advised window, so its frames carry more of them, while a DOWN
 * still leaves at once; a coordinator that advises nothing leaves the agent's own window in force. Style: the test
 * thread watches the frames reaching the coordinator's policy (an interceptor on its bus) and polls with a deadline.
 */
class AdvisedBatchWindowTest {

  private static final String AGENT = "advised-host";
  /** Two checks every 100 ms: 20 results a second, all routine once UP. */
  private static final Duration INTERVAL = Duration.ofMillis(100);

  /** A report frame as it reached the policy. */
  private record Frame(long arrivedNanos, ReportBatch batch) {

    boolean hasDown() {
      return batch.reports().stream().anyMatch(r -> r instanceof ProbeResult result && result.outcome()
        == Outcome.DOWN);
    }
  }

  private Fleet fleet;
  private ServerSocket target;
  private Thread accepting;
  private final List<Frame> frames = new CopyOnWriteArrayList<>();

  @BeforeEach
  void listen() throws IOException {
    fleet = new Fleet();
    target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    accepting = new Thread(() -> {
      while (!target.isClosed()) {
        try (Socket accepted = target.accept()) {
          accepted.getInputStream();
        } catch (IOException closed) {
          return;
        }
      }
    }, "advised-target");
    accepting.setDaemon(true);
    accepting.start();
  }

  @AfterEach
  void stop() throws IOException {
    fleet.close();
    target.close();
  }

  private void start(String advice) throws Exception {
    if (advice != null) {
      fleet.gateway("batchWindowAdvice: " + advice);
    }
    fleet.startCoordinator(vertx -> vertx.eventBus().addInboundInterceptor(delivery -> {
      if (Addresses.AGENT_REPORTS.equals(delivery.message().address())
        && delivery.message().body() instanceof ReportBatch batch) {
        frames.add(new Frame(System.nanoTime(), batch));
      }
      delivery.next();
    }), AGENT);
    String check = "type: tcp, host: 127.0.0.1, port: " + target.getLocalPort() + ", interval: "
      + INTERVAL.toMillis() + "ms";
    fleet.startAgent(AGENT, "checks:\n  - {id: a, " + check + "}\n  - {id: b, " + check + "}\n");
  }

  /** The routine frames (every result UP) that arrived over {@code span}, once both checks are UP and routine. */
  private List<Frame> routineFramesOver(Duration span) {
    fleet.await("both checks up", Duration.ofSeconds(30), () -> "healthy".equals(fleet.state(AGENT, "a"))
      && "healthy".equals(fleet.state(AGENT, "b")));
    int from = frames.size();
    Fleet.pause(span);
    return frames.subList(from, frames.size()).stream().filter(frame -> !frame.hasDown()).toList();
  }

  private static double resultsPerFrame(List<Frame> frames) {
    return frames.stream().mapToInt(frame -> frame.batch().reports().size()).average().orElse(0);
  }

  @Test
  @DisplayName("advised 1.5 s, the agent's routine results share a frame for 1.5 s (not its own 500 ms), and a DOWN "
    + "still leaves at once")
  void advisedWindowIsTaken() throws Exception {
    start("{min: 1500ms, max: 1500ms}");
    List<Frame> routine = routineFramesOver(Duration.ofSeconds(7));

    assertThat(routine).as("about one frame per 1.5 s").hasSizeBetween(3, 7);
    assertThat(resultsPerFrame(routine)).as("about 30 results a frame").isGreaterThan(20);

    long failed = System.nanoTime();
    target.close();
    Frame down = null;
    long deadline = failed + TimeUnit.SECONDS.toNanos(10);
    while (down == null && System.nanoTime() < deadline) {
      down = frames.stream().filter(frame -> frame.arrivedNanos() > failed && frame.hasDown()).findFirst()
        .orElse(null);
      Fleet.pause(Duration.ofMillis(10));
    }
    assertThat(down).as("a frame with the DOWN").isNotNull();
    assertThat(TimeUnit.NANOSECONDS.toMillis(down.arrivedNanos() - failed)).as("ms from the failure to its frame")
      .isLessThan(1000);
  }

  @Test
  @DisplayName("a coordinator that advises nothing leaves the agent's own 500 ms window: frames of ~10 results")
  void noAdviceLeavesTheAgentsOwnWindow() throws Exception {
    start("{max: 0ms}");
    List<Frame> routine = routineFramesOver(Duration.ofSeconds(5));

    assertThat(routine).as("about two frames a second").hasSizeBetween(6, 14);
    assertThat(resultsPerFrame(routine)).isBetween(5.0, 16.0);
  }
}
