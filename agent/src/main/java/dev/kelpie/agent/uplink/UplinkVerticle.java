package dev.kelpie.agent.uplink;

import dev.kelpie.agent.metrics.AgentMetrics;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckMemoryJson;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.CheckMemory;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The agent's one connection to the coordinator, which the agent opens. Says hello, sends reports in order and keeps
 * them until acknowledged, reconnects with jittered exponential backoff, and takes the coordinator's commands in
 * ({@link CommandIntake}), their results leaving as reports.
 */
public final class UplinkVerticle extends VerticleBase {

  /**
   * How the uplink reaches the coordinator; mapped from the agent's config. {@code batchWindow}: how long a routine
   * report may wait for others to share its frame ({@link BatchWindow}).
   */
  public record Settings(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                         Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout, List<URI> urls,
                         UplinkTls tls, Duration batchWindow) {

    public Settings {
      urls = urls == null || urls.isEmpty() ? List.of(url) : List.copyOf(urls);
      tls = tls == null ? UplinkTls.NONE : tls;
      batchWindow = batchWindow == null ? BatchWindow.DEFAULT : batchWindow;
    }

    public Settings(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                    Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout, List<URI> urls,
                    UplinkTls tls) {
      this(url, token, reconnectInitial, reconnectMax, bufferSize, pingInterval, keepaliveInterval, connectTimeout,
        urls, tls, null);
    }

    public Settings(URI url, String token, Duration reconnectInitial, Duration reconnectMax, int bufferSize,
                    Duration pingInterval, Duration keepaliveInterval, Duration connectTimeout) {
      this(url, token, reconnectInitial, reconnectMax, bufferSize, pingInterval, keepaliveInterval, connectTimeout,
        null, UplinkTls.NONE, null);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(UplinkVerticle.class);
  private static final int BATCH = 200;
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
  private static final long JOURNAL_REWRITE_BYTES = 4L << 20;
  private static final long HAND_OVER_TIMEOUT_MILLIS = 5_000;

  private final String agentId;
  private final String host;
  private final String version;
  private final List<CheckSpec> checks;
  private final Settings settings;
  private final Path stateDir;
  private final Clock clock;
  private final AgentMetrics metrics;

  private final RoutineReports routine;
  /**
   * Routine reports waiting for their batch, not numbered yet: numbered and journaled together, in one write, when
   * the batch leaves (or a report that matters takes them along), so a crash may lose them but never skip a number.
   */
  private final List<Report> lingering = new ArrayList<>();
  private CommandIntake commands;
  private BatchWindow window;
  /**
   * The last report that leaves without waiting: one that matters (not {@linkplain RoutineReports routine}), or a
   * routine one numbered once its window was over.
   */
  private long leavesUpTo;
  private Outbox outbox;
  private Keepalives keepalives;
  private OutboxJournal journal;
  private boolean lostItsNumbering;
  private WebSocketClient client;
  private BridgeConnection connection;
  private boolean ready;
  private boolean sending;
  private boolean stopping;
  private int attempts;
  /** Which of {@code settings.urls()} the next connection goes to. */
  private int target;

  public UplinkVerticle(String agentId, String host, String version, List<CheckSpec> checks, Settings settings,
                        Path stateDir, Clock clock, AgentMetrics metrics) {
    this.metrics = metrics;
    this.agentId = agentId;
    this.host = host;
    this.version = version;
    this.checks = List.copyOf(checks);
    this.settings = settings;
    this.stateDir = stateDir;
    this.clock = clock;
    this.routine = new RoutineReports(checks);
  }

  @Override
  public Future<?> start() {
    journal = new OutboxJournal(vertx, stateDir, JOURNAL_REWRITE_BYTES);
    window = new BatchWindow(vertx, settings.batchWindow(), this::windowOver);
    commands = new CommandIntake(vertx, agentId, clock, this::enqueue);
    client = vertx.createWebSocketClient(settings.tls().apply(new WebSocketClientOptions()
      .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20).setClosingTimeout(2)
      .setConnectTimeout((int) settings.connectTimeout().toMillis())));
    vertx.setPeriodic(settings.pingInterval().toMillis(), id -> {
      if (connection == null) {
        return;
      }
      if (connection.silence().compareTo(settings.pingInterval().multipliedBy(3)) > 0) {
        log.atWarn().addKeyValue("agent", agentId).log("the coordinator stopped answering (no pong for {}); reconnecting",
          connection.silence());
        connection.abandon();
        return;
      }
      connection.ping();
    });
    keepalives = new Keepalives(vertx, agentId, clock, window::current);
    keepalives.start(settings.keepaliveInterval(), () -> outbox.size());
    metrics.uplink(() -> outbox == null ? 0 : outbox.size(), () -> ready);
    return journal.open(agentId).compose(recovered -> {
      outbox = Outbox.journaled(settings.bufferSize(), recovered.nextSeq(), recovered.waiting());
      lostItsNumbering = recovered.fresh();
      if (!recovered.waiting().isEmpty()) {
        log.atInfo().addKeyValue("agent", agentId).log("{} reports from before the restart wait for the coordinator",
          recovered.waiting().size());
      }
      return vertx.eventBus().<JsonObject>consumer(Addresses.LOCAL_REPORT, msg -> enqueue(Report.fromJson(msg.body())))
        .completion();
    }).onSuccess(v -> connect());
  }

  /** Closes the connection with a short grace (left to Vert.x, closing an open WebSocket may wait long). */
  @Override
  public Future<?> stop() {
    stopping = true;
    settle();
    return Future.join(client.shutdown(1, TimeUnit.SECONDS), journal.close());
  }

  /**
   * A routine report lingers, unnumbered, while its window is open; any other report is numbered and journaled at
   * once, with what lingers before it, and leaves once the journal has it: a crash can neither lose nor renumber it.
   */
  private void enqueue(Report report) {
    boolean routineReport = routine.routine(report);
    lingering.add(report);
    if (routineReport && window.mayWait()) {
      window.lingering();
    } else {
      settle();
    }
  }

  /** The window is over: what lingers is numbered and journaled, then leaves. */
  private void windowOver() {
    if (lingering.isEmpty()) {
      flush();
    } else {
      settle();
    }
  }

  /** What waits must leave at the next chance, what lingers included. */
  private void dueNow() {
    window.dueNow();
    settle();
  }

  /**
   * Numbers what lingers and appends it to the journal in one write; it leaves once written, without waiting more.
   *
   * @return the last number used
   */
  private long settle() {
    if (lingering.isEmpty()) {
      return outbox.nextSeq() - 1;
    }
    long droppedBefore = outbox.dropped();
    List<Report> numbered = new ArrayList<>(lingering.size());
    lingering.forEach(report -> numbered.add(outbox.add(report)));
    lingering.clear();
    if (outbox.dropped() > droppedBefore) {
      for (long i = droppedBefore; i < outbox.dropped(); i++) {
        metrics.reportDropped();
      }
      log.atWarn().addKeyValue("agent", agentId)
        .log("outbox full ({} reports): dropped the oldest; {} dropped so far", settings.bufferSize(),
          outbox.dropped());
    }
    long last = numbered.get(numbered.size() - 1).seq();
    leavesUpTo = last;
    journal.append(numbered).onComplete(written -> {
      if (written.failed()) {
        log.atWarn().addKeyValue("agent", agentId).log("could not journal reports {} to {} ({}); sending them anyway",
          numbered.get(0).seq(), last, written.cause().getMessage());
      }
      outbox.durable(last);
      flush();
    });
    return last;
  }

  private void acknowledged(long seq) {
    outbox.acknowledge(seq);
    journal.acknowledged(seq);
    if (journal.oversized()) {
      journal.rewrite(outbox.nextSeq(), outbox.waiting());
    }
  }

  private void connect() {
    URI url = settings.urls().get(target % settings.urls().size());
    WebSocketConnectOptions options = new WebSocketConnectOptions()
      .setAbsoluteURI(url.toString().replaceAll("/+$", "") + "/websocket")
      .setTimeout(settings.connectTimeout().toMillis());
    if (settings.token() != null) {
      options.addHeader("Authorization", "Bearer " + settings.token());
    }
    client.connect(options)
      .onSuccess(socket -> {
        BridgeConnection conn = new BridgeConnection(vertx, socket, v -> onClosed());
        connection = conn;
        conn.register(Addresses.agentCommands(agentId), incoming -> commands.receive(conn, incoming));
        hello(conn);
      })
      .onFailure(failure -> {
        log.atWarn().addKeyValue("agent", agentId).log("cannot reach the coordinator at {}: {}", url,
          failure.getMessage());
        target++;   // the next attempt goes to the next coordinator, if there is more than one
        if (failure instanceof ConnectTimeoutException) {
          reconnectSoon();
        } else {
          reconnectLater();
        }
      });
  }

  /**
   * The hello is fenced: first the agent's own decisions stop (the autonomy hands over the memory of the checks it
   * acted on, and the last report it numbered), then the hello carries them; once answered, the coordinator decides.
   */
  private void hello(BridgeConnection conn) {
    services(0)
      .compose(services -> handOver().map(memory -> new AgentHello(agentId, host, version, checks, services, memory,
        memory.isEmpty() ? 0 : settle())))
      .compose(hello -> conn.request(Addresses.AGENT_HELLO, hello.toJson(), REPLY_TIMEOUT))
      .map(HelloReply::fromJson)
      .onSuccess(reply -> {
        commands.epoch(reply.epoch());
        vertx.eventBus().publish(Addresses.LOCAL_COORDINATOR, new JsonObject().put("inCharge", true)
          .put("hello", true).put("memory", CheckMemoryJson.toJson(reply.memory())));
        if (outbox.resumeAfter(reply.lastSeq(), lostItsNumbering)) {
          log.atWarn().addKeyValue("agent", agentId).log("the coordinator holds reports up to {}, more than this"
            + " agent numbered: its state was lost or is older; numbering again after it", reply.lastSeq());
          long renumberedUpTo = outbox.nextSeq() - 1;
          leavesUpTo = renumberedUpTo;
          journal.rewrite(outbox.nextSeq(), outbox.waiting()).onComplete(done -> {
            outbox.durable(renumberedUpTo);
            flush();
          });
        } else {
          journal.acknowledged(reply.lastSeq());
        }
        lostItsNumbering = false;
        keepalives.linked(conn, reply.vitalsInBatches());
        advised(reply.batchWindowMs());
        dueNow();   // what waited while the link was down (or lingered when it went) leaves at once
        ready = true;
        attempts = 0;
        log.atInfo().addKeyValue("agent", agentId)
          .log("connected to the coordinator (epoch {}); {} reports to send", reply.epoch(), outbox.size());
        flush();
      })
      .onFailure(failure -> {
        log.atWarn().addKeyValue("agent", agentId).log("hello failed: {}", failure.getMessage());
        // the connection may have closed before the hand-over: the agent decides again either way
        vertx.eventBus().publish(Addresses.LOCAL_COORDINATOR, new JsonObject().put("inCharge", false));
        conn.close();
      });
  }

  /** What the autonomy decided while alone; nothing when it is off (no one answers) or does not answer in time. */
  private Future<Map<String, CheckMemory>> handOver() {
    return vertx.eventBus().<JsonObject>request(Addresses.LOCAL_HAND_OVER, null,
        new DeliveryOptions().setSendTimeout(HAND_OVER_TIMEOUT_MILLIS))
      .map(reply -> CheckMemoryJson.byCheck(new JsonObject().put("memory", reply.body()), "memory"))
      .otherwise(failure -> Map.of());
  }

  /** The supervisor's view of the services; it may still be starting when the first connection opens. */
  private Future<List<ServiceInfo>> services(int attempt) {
    return vertx.eventBus().<JsonArray>request(Addresses.LOCAL_SERVICES, null)
      .map(reply -> {
        List<ServiceInfo> services = new ArrayList<>();
        reply.body().forEach(item -> services.add(ServiceInfo.fromJson((JsonObject) item)));
        return services;
      })
      .recover(failure -> attempt < 100
        ? vertx.timer(100).compose(v -> services(attempt + 1))
        : Future.failedFuture(failure));
  }

  /**
   * Sends the next batch unless one is in flight or all that waits is routine and its window is open: a report that
   * matters takes everything before it along at once.
   */
  private void flush() {
    if (!ready || sending || !outbox.hasUnsent()) {
      return;
    }
    if (window.mayWait() && !outbox.readyThrough(leavesUpTo)) {
      window.lingering();
      return;
    }
    BridgeConnection conn = connection;
    List<Report> batch = outbox.nextBatch(BATCH);
    window.sent(!outbox.hasUnsent());
    if (!lingering.isEmpty()) {
      window.lingering();   // they came while this batch was being journaled: their own window opens
    }
    sending = true;
    ReportBatch frame = new ReportBatch(agentId, clock.instant(), batch, keepalives.ride());
    conn.request(Addresses.AGENT_REPORTS, frame.toJson(), REPLY_TIMEOUT)
      .map(ReportAck::fromJson)
      .onComplete(done -> {
        if (conn != connection) {
          return;
        }
        sending = false;
        if (done.succeeded()) {
          advised(done.result().batchWindowMs());
        }
        if (done.succeeded() && done.result().retryAfterMs() != null) {
          acknowledged(done.result().ackSeq());
          waitAndResend(conn, batch, done.result().retryAfterMs());
        } else if (done.succeeded()) {
          keepalives.batchTaken();
          acknowledged(done.result().ackSeq());
          if (!done.result().memory().isEmpty()) {
            vertx.eventBus().publish(Addresses.LOCAL_COORDINATOR, new JsonObject().put("inCharge", true)
              .put("memory", CheckMemoryJson.toJson(done.result().memory())));
          }
          flush();
        } else {
          log.atWarn().addKeyValue("agent", agentId).log("reports not acknowledged ({}); reconnecting to send them again",
            done.cause().getMessage());
          conn.close();
        }
      });
  }

  /** The coordinator's advice on the batch window, from its latest answer (none: the agent's own window). */
  private void advised(Long batchWindowMs) {
    if (window.advise(batchWindowMs)) {
      log.atInfo().addKeyValue("agent", agentId).log("batch window now {} ms ({}; own {} ms)",
        window.current().toMillis(), window.advisedMillis() == 0 ? "no advice from the coordinator"
          : "the coordinator advises " + window.advisedMillis() + " ms", settings.batchWindow().toMillis());
    }
  }

  /**
   * The coordinator's store is behind: the batch was not taken. It is kept and sent again on this connection once the
   * coordinator's wait is over (no reconnect, which would only add a storm to a store that is behind).
   */
  private void waitAndResend(BridgeConnection conn, List<Report> batch, long retryAfterMs) {
    outbox.giveBack(batch);
    sending = true;
    log.atDebug().addKeyValue("agent", agentId).log("the coordinator's store is behind; {} reports kept, sent again "
      + "in {} ms", batch.size(), retryAfterMs);
    vertx.setTimer(Math.max(50, retryAfterMs), id -> {
      if (conn == connection) {
        sending = false;
        dueNow();
        flush();
      }
    });
  }

  private void onClosed() {
    boolean wasReady = ready;
    connection = null;
    ready = false;
    keepalives.unlinked();
    sending = false;
    outbox.rewind();
    vertx.eventBus().publish(Addresses.LOCAL_COORDINATOR, new JsonObject().put("inCharge", false));
    if (wasReady && !stopping) {
      log.atWarn().addKeyValue("agent", agentId).log("lost the coordinator; keeping up to {} reports until it returns",
        settings.bufferSize());
      target++;
    }
    reconnectLater();
  }

  /**
   * Nothing answered the connect, not even a refusal: packets vanish on the way (a partition). The attempt itself
   * waited {@code connectTimeout}, so the next one starts at once rather than after a growing backoff, and the agent is
   * back within about one SYN retransmission of the heal. A refusal or a slow handshake (a coordinator down or
   * struggling) still backs off.
   */
  private void reconnectSoon() {
    if (stopping) {
      return;
    }
    metrics.reconnecting();
    vertx.setTimer(ThreadLocalRandom.current().nextLong(50, 251), id -> connect());
  }

  private void reconnectLater() {
    if (stopping) {
      return;
    }
    metrics.reconnecting();
    long ceiling = Math.min(settings.reconnectMax().toMillis(),
      settings.reconnectInitial().toMillis() << Math.min(attempts, 20));
    long delay = Math.max(50, ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    attempts++;
    vertx.setTimer(delay, id -> connect());
  }
}
