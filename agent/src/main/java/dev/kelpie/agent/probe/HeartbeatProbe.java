package dev.kelpie.agent.probe;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A dead-man's switch, like systemd's WatchdogSec: up while the service kicked within the deadline. HTTP kicks
 * are taken on loopback only ({@code POST /kick}, {@code Authorization: Bearer <token>}) by a server this probe
 * opens on its check's port; a file's kicks are its modification times, read on a worker. Until the first kick the
 * deadline counts from the agent's start, and a kick from before the service's current instance started does not
 * count: a new instance has the deadline from its start to kick.
 */
final class HeartbeatProbe implements Probe {

  private final Vertx vertx;
  private final Clock clock;
  private final Map<String, ServiceInfo> services;
  private final HeartbeatTarget target;
  private final Instant since;
  private final Future<HttpServer> listening;
  private Instant lastKick;

  HeartbeatProbe(HeartbeatTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.clock = tools.clock();
    this.services = tools.services();
    this.target = target;
    this.since = clock.instant();
    this.listening = target.kickPort() == null ? null
      : vertx.createHttpServer().requestHandler(this::onKick).listen(target.kickPort(), "127.0.0.1");
    if (target.service() != null) {
      vertx.eventBus().<Object>localConsumer(Addresses.localHeartbeat(target.service()), this::onLastKickAsked);
    }
  }

  /** The supervisor's question before a kill: when was the last kick (evidence). */
  private void onLastKickAsked(Message<Object> question) {
    Future<Instant> last = listening != null ? Future.succeededFuture(lastKick)
      : vertx.executeBlocking(() -> {
        try {
          return Files.getLastModifiedTime(target.file()).toInstant();
        } catch (NoSuchFileException e) {
          return null;
        }
      }, false);
    last.onComplete(read -> question.reply(new JsonObject().put("check", target.describe())
      .put("lastKick", read.succeeded() && read.result() != null ? read.result().toEpochMilli() : null)));
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    if (listening != null) {
      return listening.map(server -> judge(lastKick))
        .otherwise(failure -> Finding.down("cannot take kicks on 127.0.0.1:" + target.kickPort() + ": "
          + failure.getMessage()));
    }
    return vertx.executeBlocking(() -> {
      try {
        return judge(Files.getLastModifiedTime(target.file()).toInstant());
      } catch (NoSuchFileException e) {
        return judge(null);
      }
    }, false).otherwise(failure -> Finding.down("cannot read " + target.file() + ": " + failure.getMessage()));
  }

  private Finding judge(Instant lastKick) {
    Instant now = clock.instant();
    ServiceInfo instance = target.service() == null ? null : services.get(target.service());
    Instant instanceStart = instance == null || instance.startedAt() == null ? null : instance.startedAt();
    boolean older = lastKick != null && instanceStart != null && lastKick.isBefore(instanceStart);
    Instant kick = older ? null : lastKick;
    Instant from = kick != null ? kick : instanceStart != null && instanceStart.isAfter(since) ? instanceStart : since;
    String started = from == since ? " since the agent started" : " since " + target.service() + " started";
    Duration quiet = Duration.between(from, now);
    String deadline = " (deadline " + Durations.human(target.deadline()) + ")";
    if (kick == null) {
      return quiet.compareTo(target.deadline()) <= 0
        ? Finding.up("no kick yet, " + seconds(quiet) + started + deadline)
        : Finding.down("no kick in the " + seconds(quiet) + started + deadline);
    }
    return quiet.compareTo(target.deadline()) <= 0
      ? Finding.up("last kick " + seconds(quiet) + " ago" + deadline)
      : Finding.down("no kick for " + seconds(quiet) + deadline + ", last at " + kick);
  }

  private static String seconds(Duration duration) {
    return String.format(java.util.Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
  }

  private void onKick(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !"/kick".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    String header = request.getHeader("Authorization");
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
    if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
      target.token().getBytes(StandardCharsets.UTF_8))) {
      request.response().setStatusCode(401).end();
      return;
    }
    lastKick = clock.instant();
    request.response().setStatusCode(204).end();
  }
}
