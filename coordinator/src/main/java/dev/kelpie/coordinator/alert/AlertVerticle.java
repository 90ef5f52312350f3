package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.config.AlertSettings;
import dev.kelpie.shared.bus.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers alerts from the outbox. Alerts committed by the policy arrive here, wait a short grouping window, are
 * routed to receivers and become deliveries (recorded before the first try); each delivery is tried until a 2xx,
 * with exponential backoff and jitter, until it is older than the maximum age (then it is dead, and kept for people
 * to see). Per receiver: at most {@code concurrency} requests at once, and never a delivery about an incident or
 * agent while an earlier one about it is still pending, so "recovered" never overtakes "opened".
 */
public final class AlertVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(AlertVerticle.class);
  private static final Duration TICK = Duration.ofMillis(100);
  private static final List<String> DELIVERY_OUTCOMES = List.of("delivered", "retry", "dead");
  /** Clustered: how long a try's claim on a delivery lasts (above any receiver's timeout), and how often a node looks
   * for alerts and deliveries a node that died left behind. */
  static final Duration CLAIM = Duration.ofSeconds(60);
  static final Duration SWEEP = Duration.ofSeconds(10);

  private final AlertSettings settings;
  private final AlertOutbox outbox;
  private final String node;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Routes routes;
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  /** Each series' counter, registered once: a registration per alert was a registry look-up and a new meter id. */
  private final Map<String, Counter> counters = new HashMap<>();
  private final List<JsonObject> waiting = new ArrayList<>();
  private final Set<String> seen = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 100_000;
    }
  });
  private Instant groupStart;
  private boolean routing;
  private Instant routeRetryAt = Instant.MIN;
  private WebClient client;

  /** One receiver: how to write for it, its deliveries in order, and those in flight. */
  private static final class Lane {
    final AlertSettings.Receiver receiver;
    final Formats formats;
    final Signer signer;
    final List<Delivery> queue = new ArrayList<>();
    final Set<String> inFlight = new HashSet<>();

    Lane(AlertSettings.Receiver receiver, int fleetThreshold) {
      this.receiver = receiver;
      this.formats = new Formats(receiver, fleetThreshold);
      this.signer = new Signer(receiver.secret());
    }
  }

  public AlertVerticle(AlertSettings settings, AlertOutbox outbox, Clock clock, MeterRegistry registry) {
    this(settings, outbox, clock, registry, null);
  }

  /**
   * @param node this coordinator's name among clustered ones (null alone): each try is claimed in the outbox first,
   *             so two coordinators never send the same delivery, and what a node that died left is picked up
   */
  public AlertVerticle(AlertSettings settings, AlertOutbox outbox, Clock clock, MeterRegistry registry, String node) {
    this.node = node;
    this.settings = settings;
    this.outbox = outbox;
    this.clock = clock;
    this.registry = registry;
    this.routes = new Routes(settings);
    settings.receivers().forEach(receiver -> lanes.put(receiver.name(),
      new Lane(receiver, settings.grouping().fleetThreshold())));
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx, new WebClientOptions().setUserAgent("kelpie-alerts/1")
      .setFollowRedirects(false));
    Gauge.builder("kelpie.alert.outbox.depth", this, AlertVerticle::depth)
      .description("Alerts waiting to be routed plus deliveries not yet delivered nor dead").register(registry);
    AlertSettings.KINDS.forEach(this::raisedCounter);   // every series exists at zero, before its first event
    lanes.keySet().forEach(receiver -> DELIVERY_OUTCOMES.forEach(outcome -> deliveryCounter(receiver, outcome)));
    return outbox.unfinished().compose(unfinished -> {
      for (Delivery delivery : unfinished) {
        Lane lane = lanes.get(delivery.receiver());
        if (lane == null) {
          log.atWarn().addKeyValue("receiver", delivery.receiver()).log("a pending delivery names a receiver no "
            + "longer configured; it stays pending in the outbox");
        } else {
          lane.queue.add(delivery);
        }
      }
      return outbox.unrouted();
    }).compose(unrouted -> {
      unrouted.forEach(this::take);
      if (depth() > 0) {
        log.info("alert outbox: {} alerts to route and {} deliveries to finish from before the restart",
          waiting.size(), lanes.values().stream().mapToInt(lane -> lane.queue.size()).sum());
      }
      vertx.setPeriodic(TICK.toMillis(), id -> tick());
      if (node != null) {
        vertx.setPeriodic(SWEEP.toMillis(), id -> sweep());
      }
      return vertx.eventBus().<JsonArray>localConsumer(Addresses.ALERTS_RAISED, message -> {
        message.body().forEach(alert -> take((JsonObject) alert));
      }).completion();
    });
  }

  /** Alerts and deliveries another coordinator left (it died): routed and tried here; claims keep them single. */
  private void sweep() {
    outbox.unfinished().onSuccess(unfinished -> unfinished.forEach(delivery -> {
      Lane lane = lanes.get(delivery.receiver());
      if (lane != null && lane.queue.stream().noneMatch(queued -> queued.id().equals(delivery.id()))) {
        lane.queue.add(delivery);
      }
    }));
    outbox.unrouted().onSuccess(unrouted -> unrouted.forEach(this::take));
  }

  private Counter raisedCounter(String kind) {
    return counters.computeIfAbsent("raised/" + kind, key -> Counter.builder("kelpie.alerts.raised").tag("kind", kind)
      .description("Alerts raised by the policy").register(registry));
  }

  private Counter deliveryCounter(String receiver, String outcome) {
    return counters.computeIfAbsent("delivery/" + receiver + "/" + outcome, key -> Counter
      .builder("kelpie.alert.deliveries").tag("receiver", receiver).tag("outcome", outcome)
      .description("Tries of alert deliveries by outcome: delivered, retry (failed, tried again), dead")
      .register(registry));
  }

  @Override
  public Future<?> stop() {
    return client == null ? Future.succeededFuture() : Future.succeededFuture().andThen(v -> client.close());
  }

  private void take(JsonObject alert) {
    if (!seen.add(alert.getString("id"))) {
      return;
    }
    raisedCounter(alert.getString("kind", "unknown")).increment();
    if (waiting.isEmpty()) {
      groupStart = now();
    }
    waiting.add(alert);
  }

  private void tick() {
    Instant now = now();
    route(now);
    lanes.values().forEach(lane -> pump(lane, now));
  }

  /** Once the grouping window has passed (or enough alerts wait), makes deliveries of the waiting alerts. */
  private void route(Instant now) {
    if (waiting.isEmpty() || routing || now.isBefore(routeRetryAt)) {
      return;
    }
    int max = settings.grouping().max();
    if (now.isBefore(groupStart.plus(settings.grouping().window())) && waiting.size() < max) {
      return;
    }
    List<JsonObject> batch = List.copyOf(waiting.subList(0, Math.min(waiting.size(), max)));
    Map<String, JsonArray> perReceiver = new LinkedHashMap<>();
    for (JsonObject alert : batch) {
      for (String receiver : routes.receivers(alert)) {
        perReceiver.computeIfAbsent(receiver, r -> new JsonArray()).add(alert);
      }
    }
    List<Delivery> deliveries = new ArrayList<>();
    perReceiver.forEach((receiver, alerts) -> deliveries.add(Delivery.create(UUID.randomUUID().toString(), receiver,
      now, alerts)));
    List<String> ids = batch.stream().map(alert -> alert.getString("id")).toList();
    routing = true;
    outbox.routed(ids, deliveries).onComplete(done -> {
      routing = false;
      if (done.failed()) {
        routeRetryAt = now().plusSeconds(1);
        log.warn("could not record alert deliveries ({}); {} alerts wait and are tried again", done.cause()
          .getMessage(), waiting.size());
        return;
      }
      waiting.subList(0, batch.size()).clear();
      groupStart = now();
      for (Delivery delivery : done.result()) {
        lanes.get(delivery.receiver()).queue.add(delivery);
        log.atInfo().addKeyValue("receiver", delivery.receiver()).addKeyValue("delivery", delivery.id())
          .log("{} alert(s) to deliver", delivery.alerts().size());
      }
      lanes.values().forEach(lane -> pump(lane, now()));
    });
  }

  /** Starts the deliveries that may go now: due, within the concurrency limit, nothing earlier about them pending. */
  private void pump(Lane lane, Instant now) {
    Set<String> blocked = new HashSet<>();
    for (Delivery delivery : List.copyOf(lane.queue)) {
      Set<String> subjects = subjects(delivery);
      boolean free = Collections.disjoint(subjects, blocked);
      blocked.addAll(subjects);
      if (lane.inFlight.contains(delivery.id()) || !free || delivery.nextAt().isAfter(now)) {
        continue;
      }
      if (lane.inFlight.size() >= lane.receiver.concurrency()) {
        return;
      }
      attempt(lane, delivery);
    }
  }

  private void attempt(Lane lane, Delivery delivery) {
    lane.inFlight.add(delivery.id());
    if (node == null) {
      send(lane, delivery);
      return;
    }
    outbox.claim(delivery.id(), node, CLAIM).onComplete(claimed -> {
      if (claimed.succeeded() && claimed.result()) {
        send(lane, delivery);
        return;
      }
      lane.inFlight.remove(delivery.id());
      if (claimed.succeeded()) {
        lane.queue.remove(delivery);   // another coordinator tries it (or it is finished)
        log.atDebug().addKeyValue("delivery", delivery.id()).log("delivery claimed by another coordinator");
      } else {
        log.atWarn().addKeyValue("delivery", delivery.id()).log("could not claim the delivery: {}",
          claimed.cause().getMessage());
      }
    });
  }

  private void send(Lane lane, Delivery delivery) {
    List<String> bodies = lane.formats.bodies(delivery, now());
    Future<Void> sent = Future.succeededFuture();
    for (int i = 0; i < bodies.size(); i++) {
      String key = bodies.size() == 1 ? delivery.id() : delivery.id() + "." + i;
      String body = bodies.get(i);
      sent = sent.compose(v -> post(lane, key, body));
    }
    sent.onComplete(outcome -> {
      Instant now = now();
      Delivery next;
      String result;
      if (outcome.succeeded()) {
        next = delivery.delivered(now);
        result = "delivered";
        log.atInfo().addKeyValue("receiver", lane.receiver.name()).addKeyValue("delivery", delivery.id())
          .log("delivered {} alert(s) after {} tr{}", delivery.alerts().size(), next.attempts(),
            next.attempts() == 1 ? "y" : "ies");
      } else {
        String error = outcome.cause().getMessage();
        boolean permanent = outcome.cause() instanceof Refused;
        boolean tooOld = !now.isBefore(delivery.createdAt().plus(settings.retry().maxAge()));
        if (permanent || tooOld) {
          next = delivery.dead(error, now);
          result = "dead";
          log.atError().addKeyValue("receiver", lane.receiver.name()).addKeyValue("delivery", delivery.id())
            .log("delivery dead after {} tries: {}", next.attempts(), permanent ? error
              : error + " (older than " + settings.retry().maxAge() + ")");
        } else {
          next = delivery.failed(error, now.plus(backoff(delivery.attempts() + 1)));
          result = "retry";
          log.atWarn().addKeyValue("receiver", lane.receiver.name()).addKeyValue("delivery", delivery.id())
            .log("delivery try {} failed: {}; next try at {}", next.attempts(), error, next.nextAt());
        }
      }
      deliveryCounter(lane.receiver.name(), result).increment();
      int index = lane.queue.indexOf(delivery);
      if (next.state() == Delivery.State.PENDING) {
        lane.queue.set(index, next);
      } else {
        lane.queue.remove(index);
      }
      lane.inFlight.remove(delivery.id());
      outbox.update(next).onFailure(failure -> log.atWarn().addKeyValue("delivery", delivery.id())
        .log("could not record the delivery's state: {}", failure.getMessage()));
      pump(lane, now());
    });
  }

  private Future<Void> post(Lane lane, String key, String body) {
    long timestamp = clock.instant().getEpochSecond();
    return client.postAbs(lane.receiver.url().toString())
      .timeout(lane.receiver.timeout().toMillis())
      .putHeader("content-type", "application/json")
      .putHeader("idempotency-key", key)
      .putHeader("webhook-id", key)
      .putHeader("webhook-timestamp", Long.toString(timestamp))
      .putHeader("webhook-signature", lane.signer.sign(key, timestamp, body))
      .sendBuffer(Buffer.buffer(body))
      .transform(done -> {
        if (done.failed()) {
          return Future.failedFuture(new IllegalStateException("no answer: " + describe(done.cause())));
        }
        HttpResponse<Buffer> response = done.result();
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return Future.succeededFuture();
        }
        String text = "HTTP " + status + excerpt(response);
        boolean retryable = status >= 500 || status == 408 || status == 429;
        return Future.failedFuture(retryable ? new IllegalStateException(text) : new Refused(text));
      });
  }

  private Duration backoff(int attempts) {
    long initial = settings.retry().initial().toMillis();
    long max = settings.retry().max().toMillis();
    long delay = Math.min(max, initial << Math.min(attempts - 1, 30));
    return Duration.ofMillis(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
  }

  private static Set<String> subjects(Delivery delivery) {
    Set<String> subjects = new LinkedHashSet<>();
    delivery.alerts().forEach(item -> {
      JsonObject alert = (JsonObject) item;
      subjects.add(alert.getString("incidentId") != null ? "incident:" + alert.getString("incidentId")
        : "agent:" + alert.getString("agentId"));
    });
    return subjects;
  }

  private static String excerpt(HttpResponse<Buffer> response) {
    String body = response.bodyAsString();
    if (body == null || body.isBlank()) {
      return "";
    }
    String line = body.strip().replaceAll("\\s+", " ");
    return ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
  }

  private static String describe(Throwable failure) {
    return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
  }

  private double depth() {
    return waiting.size() + lanes.values().stream().mapToInt(lane -> lane.queue.size()).sum();
  }

  private Instant now() {
    return clock.instant();
  }

  /** The receiver refused the request for good (a 4xx other than 408 and 429): trying again would not help. */
  private static final class Refused extends RuntimeException {
    Refused(String message) {
      super("refused: " + message, null, false, false);
    }
  }
}
