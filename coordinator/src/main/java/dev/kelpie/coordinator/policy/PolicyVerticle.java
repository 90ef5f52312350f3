package dev.kelpie.coordinator.policy;

import dev.kelpie.coordinator.store.StoreWriter;
import dev.kelpie.shared.bus.Addresses;
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
import java.util.function.Consumer;

/** Applies the policy to everything agents report, and sends the commands it decides on. One instance owns it all. */
public final class PolicyVerticle extends VerticleBase {

  /** Failure codes of the replies to agents, so an agent can tell its own mistakes from the coordinator's. */
  public static final int MALFORMED = 400;
  public static final int NO_HELLO = 409;
  public static final int STORE_BEHIND = 503;

  private static final Logger log = LoggerFactory.getLogger(PolicyVerticle.class);
  private static final DeliveryOptions COMMAND_DELIVERY = new DeliveryOptions().setSendTimeout(10_000);

  private final FleetState fleet;
  private final Clock clock;
  private final Duration tick;
  private final Consumer<Map<String, Integer>> levels;
  private final StoreWriter writer;
  private final Map<String, Long> committed;

  /**
   * @param committed each agent's last report sequence already in the store; a hello answers with it, so an agent
   *                  drops nothing that is not committed
   */
  public PolicyVerticle(FleetState fleet, Clock clock, Duration tick, Consumer<Map<String, Integer>> levels,
                        StoreWriter writer, Map<String, Long> committed) {
    this.fleet = fleet;
    this.clock = clock;
    this.tick = tick;
    this.levels = levels;
    this.writer = writer;
    this.committed = new HashMap<>(committed);
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    vertx.setPeriodic(tick.toMillis(), id -> sendOn(fleet.tick(now())));
    vertx.setPeriodic(1000, id -> levels.accept(fleet.counts()));
    return Future.all(List.of(
      bus.<JsonObject>consumer(Addresses.AGENT_HELLO, this::onHello).completion(),
      bus.<JsonObject>consumer(Addresses.AGENT_REPORTS, this::onReports).completion(),
      bus.<JsonObject>consumer(Addresses.AGENT_KEEPALIVE, this::onKeepalive).completion(),
      bus.consumer(Addresses.POLICY_PING, msg -> msg.reply(new JsonObject().put("epoch", fleet.epoch())
        .put("store", writer.status()))).completion(),
      bus.<JsonObject>consumer(Addresses.GATEWAY_AGENT_LINK, this::onLink).completion(),
      bus.<JsonObject>consumer(Addresses.OPERATOR, this::onOperator).completion(),
      bus.<JsonObject>consumer(Addresses.POLICY_SNAPSHOT, this::onSnapshot).completion()));
  }

  /**
   * Sends an outcome on: its commands to their agents, its fleet events and dashboard changes to whoever listens,
   * its facts to the store; completes when the facts are committed (their alerts then go to the dispatcher).
   */
  private Future<Void> sendOn(Outcome<?> outcome) {
    EventBus bus = vertx.eventBus();
    for (Command command : outcome.commands()) {
      send(command);
    }
    for (FleetEvent event : outcome.events()) {
      bus.publish(Addresses.FLEET_EVENTS, event.toJson());
    }
    if (outcome.changes() != null) {
      bus.publish(Addresses.DASHBOARD_CHANGES, outcome.changes());
    }
    if (outcome.facts().isEmpty()) {
      return Future.succeededFuture();
    }
    return writer.submit(outcome.facts()).onSuccess(v -> {
      if (!outcome.alerts().isEmpty()) {
        JsonArray raised = new JsonArray();
        outcome.alerts().forEach(alert -> raised.add(alert.body()));
        bus.send(Addresses.ALERTS_RAISED, raised);
      }
    });
  }

  /** The fleet now; the request may name one agent ({@code agentId}) and ask for a summary ({@code detail: false}). */
  private void onSnapshot(Message<JsonObject> message) {
    JsonObject ask = message.body() == null ? new JsonObject() : message.body();
    message.reply(fleet.snapshot(now(), ask.getString("agentId"), ask.getBoolean("detail", true))
      .put("store", writer.status()));
  }

  private void onKeepalive(Message<JsonObject> message) {
    Keepalive keepalive;
    try {
      keepalive = Keepalive.fromJson(message.body());
    } catch (MessageFormatException | DateTimeException e) {
      log.atWarn().addKeyValue("agent", message.body().getValue("agentId")).log("malformed keepalive: {}",
        e.getMessage());
      return;
    }
    sendOn(fleet.keepalive(keepalive, now()));
  }

  private void onOperator(Message<JsonObject> message) {
    Outcome<JsonObject> outcome;
    try {
      outcome = fleet.operate(OperatorRequest.fromJson(message.body()), now());
    } catch (OperatorRequest.Refused refused) {
      message.fail(refused.code(), refused.getMessage());
      return;
    }
    sendOn(outcome);
    message.reply(outcome.reply());
  }

  private void onHello(Message<JsonObject> message) {
    AgentHello hello;
    try {
      hello = AgentHello.fromJson(message.body());
    } catch (MessageFormatException | DateTimeException e) {
      refuse(message, "malformed hello: " + e.getMessage());
      return;
    }
    Outcome<HelloReply> outcome = fleet.hello(hello, now());
    message.reply(new HelloReply(outcome.reply().epoch(), committed.getOrDefault(hello.agentId(), 0L)).toJson());
    sendOn(outcome);
  }

  private void onReports(Message<JsonObject> message) {
    ReportBatch batch;
    try {
      batch = ReportBatch.fromJson(message.body());
    } catch (MessageFormatException | DateTimeException e) {
      refuse(message, "malformed report batch: " + e.getMessage());
      return;
    }
    if (writer.full()) {
      message.fail(STORE_BEHIND, "the coordinator's store is behind; keep the reports and send them again later");
      return;
    }
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
    long ackSeq = outcome.reply().ackSeq();
    sendOn(outcome).onSuccess(v -> {
      committed.merge(batch.agentId(), ackSeq, Math::max);
      message.reply(new ReportAck(ackSeq).toJson());
    });
  }

  private void onLink(Message<JsonObject> message) {
    AgentLink link = AgentLink.fromJson(message.body());
    if (!link.connected()) {
      sendOn(fleet.disconnected(link.agentId()));
    }
  }

  private void send(Command command) {
    vertx.eventBus().request(Addresses.agentCommands(command.agentId()), command.toJson(), COMMAND_DELIVERY)
      .onFailure(failure -> sendOn(fleet.undelivered(command, now(), failure.getMessage())));
  }

  private void refuse(Message<JsonObject> message, String why) {
    log.atWarn().addKeyValue("agent", message.body() == null ? null : message.body().getValue("agentId"))
      .log("refused: {}", why);
    message.fail(MALFORMED, why);
  }

  private Instant now() {
    return clock.instant();
  }
}
