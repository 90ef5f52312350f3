package dev.kelpie.bench;

import dev.kelpie.agent.uplink.BridgeConnection;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import dev.kelpie.shared.rules.Limits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * An agent reduced to its wire behaviour, over a real bridge connection: one check, one service. It keeps one batch
 * of results in flight; now and then a batch ends with the check's threshold crossed, and the time until the restart
 * command arrives is recorded. It answers each command as done, as a real agent would.
 */
final class SimulatedAgent {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final String id;
  private final int batchSize;
  private final long pauseMillis;
  private final long failEveryBatches;
  private final AtomicLong ingested;
  private final LongConsumer commandLatencyNanos;
  private BridgeConnection connection;
  private long seq;
  private long batches;
  private long crossedAt;
  private boolean awaitingCommand;
  private boolean running = true;
  private final List<Report> extra = new ArrayList<>();

  SimulatedAgent(Vertx vertx, String id, int batchSize, long pauseMillis, long failEveryBatches, AtomicLong ingested,
                 LongConsumer commandLatencyNanos) {
    this.vertx = vertx;
    this.id = id;
    this.batchSize = batchSize;
    this.pauseMillis = pauseMillis;
    this.failEveryBatches = failEveryBatches;
    this.ingested = ingested;
    this.commandLatencyNanos = commandLatencyNanos;
  }

  /** The largest budget a coordinator takes from an agent (shared rules), so restarts never run out in a run. */
  static PolicySpec policy() {
    PolicySpec d = PolicySpec.defaults();
    return new PolicySpec(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, null, 1, Duration.ZERO, false,
      Duration.ZERO, new PolicySpec.Budget(Limits.MAX_COUNT, Duration.ofHours(1)),
      new PolicySpec.Backoff(Duration.ZERO, 1.0, Duration.ZERO, d.backoff().resetAfter()), true);
  }

  Future<Void> connect(WebSocketClient client, int port, String token) {
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/bus/websocket").addHeader("Authorization", "Bearer " + token))
      .compose(socket -> {
        connection = new BridgeConnection(vertx, socket, v -> running = false);
        connection.register(Addresses.agentCommands(id), this::onCommand);
        AgentHello hello = new AgentHello(id, id, "bench", List.of(new CheckSpec("sim", CheckType.HTTP, "svc",
          "simulated", policy())), List.of(new ServiceInfo("svc", true, 1L, Instant.now(), null)));
        return connection.request(Addresses.AGENT_HELLO, hello.toJson(), TIMEOUT);
      })
      .map(reply -> {
        seq = reply.getLong("lastSeq");
        vertx.setPeriodic(2000, t -> connection.ping());
        return null;
      });
  }

  void run() {
    if (!running) {
      return;
    }
    batches++;
    boolean cross = !awaitingCommand && failEveryBatches > 0 && batches % failEveryBatches == 0;
    List<Report> reports = new ArrayList<>(batchSize + extra.size());
    reports.addAll(extra);
    extra.clear();
    Instant now = Instant.now();
    for (int i = 0; i < batchSize; i++) {
      boolean down = cross && i >= batchSize - 3;
      reports.add(new ProbeResult(id, ++seq, "sim", now, down ? dev.kelpie.shared.message.Outcome.DOWN
        : dev.kelpie.shared.message.Outcome.UP, Duration.ofMillis(2), down ? "simulated failure" : "ok"));
    }
    if (cross) {
      awaitingCommand = true;
      crossedAt = System.nanoTime();
    }
    int results = batchSize;
    connection.request(Addresses.AGENT_REPORTS, new ReportBatch(id, now, reports).toJson(), TIMEOUT)
      .map(ReportAck::fromJson)
      .onSuccess(ack -> {
        ingested.addAndGet(results);
        if (pauseMillis > 0) {
          vertx.setTimer(pauseMillis, t -> run());
        } else {
          run();
        }
      })
      .onFailure(failure -> running = false);
  }

  void stop() {
    running = false;
  }

  private void onCommand(BridgeConnection.Incoming incoming) {
    if (incoming.replyAddress() != null) {
      connection.reply(incoming.replyAddress(), new JsonObject().put("accepted", true));
    }
    Command command = Command.fromJson((JsonObject) incoming.body());
    if (awaitingCommand && command.action() == Action.RESTART) {
      commandLatencyNanos.accept(System.nanoTime() - crossedAt);
      awaitingCommand = false;
    }
    extra.add(CommandResult.of(command, CommandStatus.DONE, "simulated", Instant.now(), Duration.ZERO, 2L)
      .withSeq(++seq));
  }
}
