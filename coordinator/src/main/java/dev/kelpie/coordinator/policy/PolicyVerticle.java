package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.cluster.FleetCounters;
import dev.kelpie.coordinator.cluster.Ownership;
import dev.kelpie.coordinator.load.WindowAdvisor;
import dev.kelpie.coordinator.store.DecisionJournal;
import dev.kelpie.coordinator.store.Facts;
import dev.kelpie.coordinator.store.Store;
import dev.kelpie.coordinator.store.StoreWriter;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.bus.AgentCodecs;
import dev.kelpie.shared.bus.HandedOverJson;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.AgentLink;
import dev.kelpie.shared.message.Command;
import dev.kelpie.shared.message.FleetEvent;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.MessageFormatException;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/** Applies the policy to everything agents report, and sends the commands it decides on. One instance owns it all. */
public final class PolicyVerticle extends VerticleBase {

  /** Failure codes of the replies to agents, so an agent can tell its own mistakes from the coordinator's. */
  public static final int MALFORMED = 400;
  public static final int NO_HELLO = 409;
  /** A hello for an agent another coordinator still owns (clustered coordinators); the agent tries again. */
  public static final int OWNED_ELSEWHERE = 503;
  /** How long an agent is asked to wait before sending a batch again that was not taken (the store is behind). */
  static final Duration STORE_BEHIND_WAIT = Duration.ofSeconds(1);
  /** How long a command waits for the store to commit its record before the local journal takes it instead. */
  static final Duration STORE_HOLD = Duration.ofSeconds(1);
  /** A tick this much later than due means the coordinator was paused. */
  static final Duration PAUSE = Duration.ofSeconds(2);
  private static final Duration STOP_FLUSH = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(PolicyVerticle.class);
  private static final DeliveryOptions COMMAND_DELIVERY = new DeliveryOptions().setSendTimeout(10_000)
    .setLocalOnly(true);

  private final FleetState fleet;
  private final Clock clock;
  private final Duration tick;
  private final Consumer<Map<String, Integer>> levels;
  private final StoreWriter writer;
  private final Map<String, Long> committed;
  /**
   * The hello being answered for each agent on its current connection: taking the lease and restoring the agent take
   * turns of their own, and a connection that closes meanwhile (or is replaced) must not be welcomed after it.
   */
  private final Map<String, Object> answering = new HashMap<>();
  private final DecisionJournal journal;
  private final Ownership ownership;
  private final Function<String, Future<Store.Restored>> restoreAgent;
  private final FleetCounters counters;
  private final WindowAdvisor advisor;
  private long lastTickNanos;
  private Instant lastTickWall;

  /**
   * @param committed each agent's last report sequence already in the store; a hello answers with it, so an agent
   *                  drops nothing that is not committed
   * @param journal   where a decision waits when the store cannot commit it in time; null with no database (memory
   *                  commits at once)
   */
  public PolicyVerticle(FleetState fleet, Clock clock, Duration tick, Consumer<Map<String, Integer>> levels,
                        StoreWriter writer, Map<String, Long> committed, DecisionJournal journal) {
    this(fleet, clock, tick, levels, writer, committed, journal, Ownership.alone(fleet.epoch()), null, null,
      WindowAdvisor.none());
  }

  /**
   * @param ownership    which agents this coordinator owns, and the token on their commands (alone: all of them,
   *                     with its epoch)
   * @param restoreAgent what the store kept of one agent, for an agent taken over from another coordinator (null
   *                     alone)
   * @param counters     the fleet's counts shared with the other coordinators, which the fleet rules add to this
   *                     node's (null alone)
   * @param advisor      the batch window advised to this node's agents, from this node's own pressure
   */
  public PolicyVerticle(FleetState fleet, Clock clock, Duration tick, Consumer<Map<String, Integer>> levels,
                        StoreWriter writer, Map<String, Long> committed, DecisionJournal journal, Ownership ownership,
                        Function<String, Future<Store.Restored>> restoreAgent, FleetCounters counters,
                        WindowAdvisor advisor) {
    this.counters = counters;
    this.advisor = advisor;
    this.ownership = ownership;
    this.restoreAgent = restoreAgent;
    this.fleet = fleet;
    this.clock = clock;
    this.tick = tick;
    this.levels = levels;
    this.writer = writer;
    this.committed = new HashMap<>(committed);
    this.journal = journal;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    AgentCodecs.registerOn(bus);   // the acknowledgements' codec, also where the gateway is not deployed
    lastTickNanos = System.nanoTime();
    vertx.setPeriodic(tick.toMillis(), id -> onTick());
    vertx.setPeriodic(1000, id -> levels.accept(fleet.counts()));
    advisor.start(vertx);
    ownership.start(this::onLost, this::adoptOrphan);
    if (ownership.clustered()) {
      vertx.setPeriodic(2000, id -> forgetOwnedElsewhere());
    }
    // node-local: on a clustered event bus a frame is handled by the policy of the node it arrived at
    String operator = ownership.clustered() ? Addresses.nodeOperator(ownership.node()) : Addresses.OPERATOR;
    String snapshot = ownership.clustered() ? Addresses.nodeSnapshot(ownership.node()) : Addresses.POLICY_SNAPSHOT;
    Future<Void> shares = Future.succeededFuture();
    if (counters != null) {
      fleet.peers(counters.peers());
      shares = counters.start(vertx, () -> fleet.share(now()), fleet::shareVersion);
    }
    return Future.all(List.of(shares, writer.start(),
      bus.localConsumer(Addresses.AGENT_HELLO, this::onHello).completion(),
      bus.localConsumer(Addresses.AGENT_REPORTS, this::onReports).completion(),
      bus.localConsumer(Addresses.AGENT_KEEPALIVE, this::onKeepalive).completion(),
      bus.localConsumer(Addresses.POLICY_PING, msg -> msg.reply(new JsonObject().put("epoch", fleet.epoch())
        .put("store", writer.status()))).completion(),
      bus.<JsonObject>localConsumer(Addresses.GATEWAY_AGENT_LINK, this::onLink).completion(),
      // clustered, these two are reached through the node's own address (ClusterFront forwards to the owner)
      bus.<JsonObject>consumer(operator, this::onOperator).completion(),
      bus.<JsonObject>consumer(snapshot, this::onSnapshot).completion()));
  }

  /** This node's lease on the agent was lost: another coordinator owns it; this one forgets it. */
  private void onLost(String agentId) {
    fleet.handedOver(agentId);
    committed.remove(agentId);
  }

  /** The agent's coordinator died with it; this node keeps watch on it as the store left it, silent since then. */
  private Future<?> adoptOrphan(String agentId) {
    if (restoreAgent == null) {
      return Future.succeededFuture();
    }
    return restoreAgent.apply(agentId).map(restored -> {
      fleet.adoptOrphan(agentId, restored, now());
      Facts.AgentRecord record = restored.agents().get(agentId);
      committed.put(agentId, record == null ? 0L : record.lastSeq());
      return restored;
    });
  }

  /** Agents this node still remembers (disconnected from it) that another node now owns are forgotten here. */
  private void forgetOwnedElsewhere() {
    List<String> disconnected = fleet.disconnectedAgents();
    ownership.ownedElsewhere(disconnected).onSuccess(elsewhere -> elsewhere.forEach(agentId -> {
      if (!ownership.holds(agentId) && fleet.knows(agentId)) {
        log.atInfo().addKeyValue("agent", agentId).log("agent owned by another coordinator now; forgotten here");
        onLost(agentId);
      }
    }));
  }

  /**
   * Reports are acknowledged as taken before they are stored, so a coordinator stopping in good order first lets the
   * store commit what it took (bounded: a store that is down keeps nothing waiting past a few seconds; the agents
   * still hold those reports).
   */
  @Override
  public Future<?> stop() {
    return writer.submit(new Facts()).timeout(STOP_FLUSH.toMillis(), TimeUnit.MILLISECONDS).otherwiseEmpty();
  }

  /**
   * Sends an outcome on: its fleet events and dashboard changes to whoever listens, its facts to the store, and, once
   * those are committed, its alerts to the dispatcher and its commands to their agents (write-ahead: no command leaves
   * before its action, incident and alerts are durable). Completes when the facts are committed.
   */
  private Future<Void> sendOn(Outcome<?> outcome) {
    if (counters != null) {
      counters.changed();
    }
    EventBus bus = vertx.eventBus();
    for (FleetEvent event : outcome.events()) {
      bus.publish(Addresses.FLEET_EVENTS, event.toJson());
    }
    if (outcome.changes() != null) {
      bus.publish(Addresses.DASHBOARD_CHANGES, ownedHere(outcome.changes()));
    }
    if (outcome.facts().isEmpty()) {
      outcome.commands().forEach(this::send);
      return Future.succeededFuture();
    }
    Future<Void> committed = (outcome.commands().isEmpty() ? writer.submit(outcome.facts())
      : writer.submitAhead(outcome.facts())).onSuccess(v -> {
      if (!outcome.alerts().isEmpty()) {
        JsonArray raised = new JsonArray();
        outcome.alerts().forEach(alert -> raised.add(alert.body()));
        bus.send(Addresses.ALERTS_RAISED, raised);
      }
    });
    if (!outcome.commands().isEmpty()) {
      sendWhenRecorded(outcome, committed);
    }
    return committed;
  }

  /**
   * Clustered, every node's live feed carries every node's changes (the address crosses nodes), so each names the
   * coordinator it comes from, as the merged fleet snapshot names each agent's.
   */
  private JsonObject ownedHere(JsonObject changes) {
    if (ownership.clustered()) {
      changes.put("coordinator", ownership.node());
      changes.getJsonArray("agents", new JsonArray()).forEach(agent -> ((JsonObject) agent)
        .put("coordinator", ownership.node()));
    }
    return changes;
  }

  /**
   * Holds an outcome's commands until their record is committed. When the store is down or does not commit within
   * {@link #STORE_HOLD}, the decision (actions, incident, alerts) is synced to the local journal instead and the
   * commands leave then, so the loop keeps its pace without the database. Without a journal (no database) the hold
   * lasts until the first command expires; a command not recorded by then is never sent, recorded as unsent, and its
   * checks decide again.
   */
  private void sendWhenRecorded(Outcome<?> outcome, Future<Void> committed) {
    List<Command> commands = outcome.commands();
    Instant expires = commands.stream().map(Command::expiresAt).min(Instant::compareTo).orElseThrow();
    long untilExpiry = Math.max(1, Duration.between(now(), expires).toMillis());
    long hold = journal == null ? untilExpiry : writer.up() ? Math.min(untilExpiry, STORE_HOLD.toMillis()) : 0;
    Future<Void> inTime = hold == 0 ? Future.failedFuture("the store is down") : committed.timeout(hold,
      TimeUnit.MILLISECONDS);
    inTime.onComplete(recorded -> {
      if (recorded.succeeded()) {
        sendRecorded(commands);
      } else if (journal != null) {
        journal.write(commands.get(0).id(), DecisionJournal.decisionOf(outcome.facts())).onComplete(written -> {
          if (written.succeeded()) {
            sendRecorded(commands);
            committed.onSuccess(v -> journal.remove(written.result()));
          } else {
            log.error("could not journal a decision: {}", written.cause().getMessage());
            commands.forEach(command -> notSent(command, "neither the store nor the local journal took its record"));
          }
        });
      } else {
        commands.forEach(command -> notSent(command, "not recorded before it expired; the store was down"));
      }
    });
  }

  private void sendRecorded(List<Command> commands) {
    CrashPoint.reached(CrashPoint.BEFORE_SEND);
    commands.forEach(this::send);
    CrashPoint.reached(CrashPoint.AFTER_SEND);
  }

  private void notSent(Command command, String why) {
    log.atError().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
      .log("{} of {} not sent: {} ({})", command.action(), command.service(), why, writer.status().getString("reason"));
    sendOn(fleet.unsent(command, now(), why));
  }

  /**
   * Time passes; a tick far later than due means this process was paused (its clock ran, it did not), and a wall
   * clock that jumped ahead of the monotonic one means the host's time was set: either way the agents are not blamed
   * for a silence that is not theirs.
   */
  private void onTick() {
    long nowNanos = System.nanoTime();
    Instant now = now();
    Duration gap = Duration.ofNanos(nowNanos - lastTickNanos);
    Duration wallGap = lastTickWall == null ? gap : Duration.between(lastTickWall, now);
    lastTickNanos = nowNanos;
    lastTickWall = now;
    if (gap.compareTo(tick.plus(PAUSE)) > 0 || wallGap.minus(gap).compareTo(PAUSE) > 0) {
      fleet.pausedFor(gap.compareTo(wallGap) > 0 ? gap : wallGap, now);
    }
    sendOn(fleet.tick(now));
  }

  /** The fleet now; the request may name one agent ({@code agentId}) and ask for a summary ({@code detail: false}). */
  private void onSnapshot(Message<JsonObject> message) {
    JsonObject ask = message.body() == null ? new JsonObject() : message.body();
    message.reply(fleet.snapshot(now(), ask.getString("agentId"), ask.getBoolean("detail", true))
      .put("store", writer.status()));
  }

  private void onKeepalive(Message<Object> message) {
    Keepalive keepalive;
    try {
      keepalive = read(message.body(), Keepalive.class, Keepalive::fromJson);
    } catch (MessageFormatException | DateTimeException e) {
      log.atWarn().addKeyValue("agent", agentOf(message.body())).log("malformed keepalive: {}", e.getMessage());
      return;
    }
    sendOn(fleet.keepalive(keepalive, now()));
  }

  private void onOperator(Message<JsonObject> message) {
    Outcome<JsonObject> outcome;
    try {
      JsonObject body = message.body();
      outcome = body != null && "release".equals(body.getString("action"))
        ? fleet.releaseHold(body.getString("cause"), body.getString("by"), body.getString("reason"), now())
        : fleet.operate(OperatorRequest.fromJson(body), now());
    } catch (OperatorRequest.Refused refused) {
      message.fail(refused.code(), refused.getMessage());
      return;
    }
    sendOn(outcome);
    message.reply(outcome.reply());
  }

  private void onHello(Message<Object> message) {
    AgentHello hello;
    try {
      hello = read(message.body(), AgentHello.class, AgentHello::fromJson);
    } catch (MessageFormatException | DateTimeException e) {
      refuse(message, "malformed hello: " + e.getMessage());
      return;
    }
    Object mine = new Object();
    answering.put(hello.agentId(), mine);
    ownership.take(hello.agentId())
      .compose(taken -> taken.continuous() && fleet.knows(hello.agentId()) || restoreAgent == null
        ? Future.succeededFuture(taken)
        : restoreAgent.apply(hello.agentId()).map(restored -> {
          fleet.adopt(hello.agentId(), restored, now());
          Facts.AgentRecord record = restored.agents().get(hello.agentId());
          committed.put(hello.agentId(), record == null ? 0L : record.lastSeq());
          return taken;
        }))
      .onSuccess(taken -> {
        if (answering.remove(hello.agentId(), mine)) {
          welcome(message, hello, taken.token());
        } else {
          abandoned(message, hello.agentId());
        }
      })
      .onFailure(failure -> {
        answering.remove(hello.agentId(), mine);
        log.atWarn().addKeyValue("agent", hello.agentId()).log("hello not taken: {}", failure.getMessage());
        ownership.letGo(hello.agentId());
        message.fail(OWNED_ELSEWHERE, failure.getMessage());
      });
  }

  /**
   * The connection that said hello closed (or a newer one replaced it) before the hello was answered: the agent is
   * not welcomed, which would show it connected here with no connection; the lease taken for it is let go unless a
   * newer hello of the agent's is being answered.
   */
  private void abandoned(Message<Object> message, String agentId) {
    if (!answering.containsKey(agentId)) {
      log.atWarn().addKeyValue("agent", agentId)
        .log("agent given up by this node: its connection closed before its hello was answered");
      ownership.letGo(agentId);
    }
    message.fail(OWNED_ELSEWHERE, "the connection closed before the hello was answered");
  }

  private void welcome(Message<Object> message, AgentHello hello, long token) {
    Outcome<HelloReply> outcome = fleet.hello(hello, now());
    message.reply(new HelloReply(token, committed.getOrDefault(hello.agentId(), 0L),
      outcome.reply().memory(), true, advisor.advisedMillis()).toJson());
    sendOn(outcome);
    for (Command command : fleet.supersededByTheAgent(hello.agentId(), now())) {
      log.atWarn().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
        .log("{} of {} from before the restart is not sent: the agent restarted {} itself while no coordinator was "
          + "there", command.action(), command.service(), command.service());
      sendOn(fleet.unsent(command, now(), "not sent: the agent restarted " + command.service()
        + " itself while the coordinator was away"));
    }
    for (Command command : fleet.remediationsFromEarlierEpochs(hello.agentId())) {
      log.atWarn().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
        .log("remediation of {} from before the restart is unanswered: not sent again (ask again if still needed)",
          command.service());
      sendOn(fleet.unsent(command, now(), "not sent again after a coordinator restart: remediate again if the rows "
        + "are still stuck"));
    }
    for (Command command : fleet.unansweredFromEarlierEpochs(hello.agentId(), now())) {
      log.atWarn().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
        .log("{} of {} from before the restart is unanswered: handed to the agent again under the same id",
          command.action(), command.service());
      send(command);
    }
  }

  private void onReports(Message<Object> message) {
    ReportBatch batch;
    try {
      batch = read(message.body(), ReportBatch.class, ReportBatch::fromJson);
    } catch (MessageFormatException | DateTimeException e) {
      refuse(message, "malformed report batch: " + e.getMessage());
      return;
    }
    if (writer.full()) {
      message.reply(ReportAck.later(committed.getOrDefault(batch.agentId(), 0L), STORE_BEHIND_WAIT.toMillis())
        .advising(advisor.advisedMillis()).toJson(), HandedOverJson.DELIVERY);
      return;
    }
    CrashPoint.received(batch);
    Outcome<ReportAck> outcome;
    try {
      outcome = fleet.reports(batch, now());
    } catch (NoHello e) {
      message.fail(NO_HELLO, e.getMessage());
      return;
    } catch (ReportsRefused e) {
      refuse(message, e.getMessage());
      return;
    }
    long takenSeq = outcome.reply().ackSeq();
    sendOn(outcome).onSuccess(v -> {
      committed.merge(batch.agentId(), takenSeq, Math::max);
      CrashPoint.stored(batch);
    });
    // the acknowledgement goes to the bridge as built, not deep-copied on the way as a JsonObject reply would be
    message.reply(ReportAck.taken(committed.getOrDefault(batch.agentId(), 0L), takenSeq, outcome.reply().memory())
      .advising(advisor.advisedMillis()).toJson(), HandedOverJson.DELIVERY);
  }

  private void onLink(Message<JsonObject> message) {
    AgentLink link = AgentLink.fromJson(message.body());
    if (!link.connected()) {
      answering.remove(link.agentId());
      sendOn(fleet.disconnected(link.agentId()));
      ownership.letGo(link.agentId());
    }
  }

  /**
   * To the agent's connection on this node (commands never cross the cluster), stamped with this node's token for
   * the agent; a node that does not own the agent (any more) sends nothing.
   */
  private void send(Command command) {
    Optional<Command> stamped = ownership.stamp(command);
    if (stamped.isEmpty()) {
      log.atWarn().addKeyValue("agent", command.agentId()).addKeyValue("command", command.id())
        .log("{} of {} not sent: this coordinator does not own the agent", command.action(), command.service());
      sendOn(fleet.undelivered(command, now(), "this coordinator does not own the agent"));
      return;
    }
    vertx.eventBus().request(Addresses.agentCommands(command.agentId()), stamped.get().toJson(), COMMAND_DELIVERY)
      .onFailure(failure -> sendOn(fleet.undelivered(command, now(), failure.getMessage())));
  }

  private void refuse(Message<Object> message, String why) {
    log.atWarn().addKeyValue("agent", agentOf(message.body())).log("refused: {}", why);
    message.fail(MALFORMED, why);
  }

  /**
   * What an agent sent: the record the gateway read it into (delivered uncopied by its {@code AgentCodecs} codec), or
   * its JSON form from anyone else on the bus, read here.
   */
  private static <T> T read(Object body, Class<T> type, Function<JsonObject, T> fromJson) {
    if (type.isInstance(body)) {
      return type.cast(body);
    }
    if (body instanceof JsonObject json) {
      return fromJson.apply(json);
    }
    throw new MessageFormatException("body", "expected an object");
  }

  private static Object agentOf(Object body) {
    if (body instanceof JsonObject json) {
      return json.getValue("agentId");
    }
    if (body instanceof AgentHello hello) {
      return hello.agentId();
    }
    if (body instanceof ReportBatch batch) {
      return batch.agentId();
    }
    return body instanceof Keepalive keepalive ? keepalive.agentId() : null;
  }

  private Instant now() {
    return clock.instant();
  }
}
