package dev.kelpie.bench;

import dev.kelpie.agent.uplink.BatchWindow;
import dev.kelpie.agent.uplink.BridgeConnection;
import dev.kelpie.agent.uplink.RoutineReports;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.Action;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.CommandResult;
import dev.kelpie.shared.message.CommandStatus;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An agent in the shape real fleets have, over a real bridge connection: N checks each probed every interval (their
 * phases spread evenly), results batched as the real uplink batches them (a routine result lingers up to the batch
 * window, one that matters leaves at once with what lingers; a result that comes while a batch is in flight rides with
 * the next one; the window follows the coordinator's advice as the real agent's does), pings and keepalives at the
 * agent's defaults. Every {@code crossEvery} one of its checks fails three times in a row, and the time from the third
 * failure leaving to the restart command arriving is recorded. It answers commands as done, as a real agent would.
 */
final class FleetAgent {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final String id;
  private final int checks;
  private final Duration interval;
  private final Duration crossEvery;
  private final FleetTally tally;
  private final List<CheckSpec> specs = new ArrayList<>();
  private final RoutineReports routine;
  private final BatchWindow window;
  private final List<Report> pending = new ArrayList<>();
  /** Something pending matters: it leaves without waiting for the window. */
  private boolean mattersPending;
  private boolean vitalsInBatches;
  private boolean takenSinceKeepalive;
  private Keepalive ridingVitals;
  private BridgeConnection connection;
  private long seq;
  private boolean inFlight;
  private boolean running = true;
  private int nextCheck;
  private int failuresToSend;
  private long crossedAt;
  private boolean awaitingCommand;
  private boolean stopped;
  private long pingTimer = -1;
  private WebSocketClient client;
  private List<Integer> failoverPorts = List.of();
  private int failoverNext;
  private String token;
  private boolean awaitingFirstAck;

  FleetAgent(Vertx vertx, String id, int checks, Duration interval, Duration crossEvery, Duration batchWindow,
             FleetTally tally) {
    this.vertx = vertx;
    this.id = id;
    this.checks = checks;
    this.interval = interval;
    this.crossEvery = crossEvery;
    this.tally = tally;
    for (int i = 0; i < checks; i++) {
      specs.add(new CheckSpec("check-" + i, CheckType.HTTP, "svc", "simulated", SimulatedAgent.policy(),
        java.util.Map.of("role", "r" + Math.floorMod(id.hashCode(), 10))));
    }
    this.routine = new RoutineReports(specs);
    this.window = new BatchWindow(vertx, batchWindow, this::flush);
  }

  /**
   * When its connection is lost, the agent connects to {@code ports} in turn (every 200 ms until one answers its
   * hello), recording when it was owned again (hello answered) and when its first batch after that was acknowledged.
   */
  void failover(List<Integer> ports) {
    failoverPorts = List.copyOf(ports);
  }

  /**
   * Connects and says hello as a real agent does after a coordinator restart: an attempt that fails (refused, closed
   * before its answer, no answer) is given up and tried again a second later, until {@code deadlineNanos}; each failed
   * attempt is counted in the tally with its cause. With {@link #failover} set, a lost connection is that mode's.
   */
  Future<Void> connectRetrying(WebSocketClient client, int port, String token, long deadlineNanos) {
    return connect(client, port, token).recover(failure -> {
      tally.helloFailed(failure.getMessage());
      if (connection != null) {
        running = false;   // this attempt's socket, if still open, is closed without counting as a disconnect
        connection.close();
      }
      if (!failoverPorts.isEmpty() || System.nanoTime() - deadlineNanos > 0) {
        return Future.failedFuture(failure);
      }
      Promise<Void> again = Promise.promise();
      vertx.setTimer(1000, t -> {
        running = true;
        connectRetrying(client, port, token, deadlineNanos).onComplete(again);
      });
      return again.future();
    });
  }

  Future<Void> connect(WebSocketClient client, int port, String token) {
    this.client = client;
    this.token = token;
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/bus/websocket").addHeader("Authorization", "Bearer " + token))
      .compose(socket -> {
        connection = new BridgeConnection(vertx, socket, v -> {
          if (running) {
            tally.disconnected();
          }
          running = false;
          vertx.cancelTimer(pingTimer);
          if (!stopped && !failoverPorts.isEmpty()) {
            reconnect();
          }
        });
        connection.register(Addresses.agentCommands(id), this::onCommand);
        pingTimer = vertx.setPeriodic(5000, t -> {
          if (running) {
            connection.ping();
          }
        });
        AgentHello hello = new AgentHello(id, id, "bench", specs,
          List.of(new ServiceInfo("svc", true, 1L, Instant.now(), null)));
        return connection.request(Addresses.AGENT_HELLO, hello.toJson(), TIMEOUT);
      })
      .map(reply -> {
        seq = Math.max(seq, reply.getLong("lastSeq"));   // after a failover, pending reports keep their numbers
        HelloReply hello = HelloReply.fromJson(reply);
        vitalsInBatches = hello.vitalsInBatches();
        advised(hello.batchWindowMs());
        return null;
      });
  }

  /**
   * Starts probing at a random phase, and the keepalives of a real agent (every 5 s, riding the next batch when one was
   * taken within the interval and the coordinator takes them so; pings run from the connect).
   */
  void start() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long step = Math.max(1, interval.toMillis() / checks);
    ProbePacer.every(vertx, step, random.nextLong(step), this::probe);
    vertx.setTimer(1 + random.nextLong(5000), first -> vertx.setPeriodic(5000, t -> {
      if (running) {
        Keepalive keepalive = new Keepalive(id, Instant.now(), 40L << 20, 0.01, 1, pending.size());
        boolean carried = vitalsInBatches && takenSinceKeepalive;
        takenSinceKeepalive = false;
        ridingVitals = carried ? keepalive : null;
        if (!carried) {
          tally.keepaliveSent();
          connection.send(Addresses.AGENT_KEEPALIVE, keepalive.toJson());
        } else {
          vertx.setTimer(Math.max(500, window.current().toMillis()), w -> {   // no batch to ride: a frame after all
            if (ridingVitals == keepalive && running) {
              ridingVitals = null;
              tally.keepaliveSent();
              connection.send(Addresses.AGENT_KEEPALIVE, keepalive.toJson());
            }
          });
        }
      }
    }));
    if (!crossEvery.isZero()) {
      vertx.setTimer(1 + random.nextLong(crossEvery.toMillis()), first -> {
        failuresToSend = 3;
        vertx.setPeriodic(crossEvery.toMillis(), t -> failuresToSend = awaitingCommand ? 0 : 3);
      });
    }
  }

  void stop() {
    stopped = true;
    running = false;
  }

  private void reconnect() {
    int port = failoverPorts.get(failoverNext++ % failoverPorts.size());
    connect(client, port, token).onComplete(done -> {
      if (stopped) {
        return;
      }
      if (done.succeeded()) {
        tally.ownedAgain(id, System.nanoTime());
        awaitingFirstAck = true;
        running = true;
        window.dueNow();
        flush();
      } else {
        vertx.setTimer(200, t -> reconnect());
      }
    });
  }

  private void probe(Instant now) {
    if (!running) {
      return;
    }
    int check = nextCheck;
    nextCheck = (nextCheck + 1) % checks;
    boolean down = check == 0 && failuresToSend > 0;
    if (down && --failuresToSend == 0) {
      awaitingCommand = true;
      crossedAt = System.nanoTime();
    }
    add(new ProbeResult(id, ++seq, specs.get(check).id(), now, down ? Outcome.DOWN : Outcome.UP,
      Duration.ofMillis(2), down ? "simulated failure" : "ok"));
  }

  private void add(Report report) {
    pending.add(report);
    if (routine.routine(report)) {
      window.lingering();
    } else {
      mattersPending = true;
    }
    flush();
  }

  private void flush() {
    if (inFlight || pending.isEmpty() || !running) {
      return;
    }
    if (!mattersPending && window.mayWait()) {
      window.lingering();
      return;
    }
    List<Report> batch = new ArrayList<>(pending);
    pending.clear();
    mattersPending = false;
    window.sent(true);
    inFlight = true;
    tally.batchSent();
    long sent = System.nanoTime();
    ReportBatch frame = new ReportBatch(id, Instant.now(), batch, ridingVitals);
    ridingVitals = null;
    connection.request(Addresses.AGENT_REPORTS, frame.toJson(), TIMEOUT)
      .map(ReportAck::fromJson)
      .onComplete(done -> {
        inFlight = false;
        if (done.succeeded()) {
          advised(done.result().batchWindowMs());
          takenSinceKeepalive |= done.result().retryAfterMs() == null;
          tally.acknowledged(batch.size(), System.nanoTime() - sent);
          if (awaitingFirstAck) {
            awaitingFirstAck = false;
            tally.ackedAgain(id, System.nanoTime());
          }
          flush();
        } else {
          tally.refused(done.cause().getMessage());
          pending.addAll(0, batch);
          vertx.setTimer(1000, t -> {
            window.dueNow();
            flush();
          });
        }
      });
  }

  /** The coordinator's advice on the batch window, taken as the real uplink takes it ({@link BatchWindow#advise}). */
  private void advised(Long batchWindowMs) {
    window.advise(batchWindowMs);
    tally.advised(id, window.advisedMillis());
  }

  private void onCommand(BridgeConnection.Incoming incoming) {
    if (incoming.replyAddress() != null) {
      connection.reply(incoming.replyAddress(), new JsonObject().put("accepted", true));
    }
    Command command = Command.fromJson((JsonObject) incoming.body());
    if (awaitingCommand && command.action() == Action.RESTART) {
      tally.commanded(System.nanoTime() - crossedAt);
      awaitingCommand = false;
    }
    add(CommandResult.of(command, CommandStatus.DONE, "simulated", Instant.now(), Duration.ZERO, 2L).withSeq(++seq));
  }
}
