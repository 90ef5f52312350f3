package dev.kelpie.coordinator.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a decision waits, on the coordinator's own disk, when the store cannot commit it before its command must
 * leave: one file per decision (its actions, incidents and alerts), synced before the command is sent, deleted once
 * the store has committed the same facts. A coordinator that dies before that writes what is left to the store at
 * its next start, before it restores anything. Every write is idempotent by key, so a decision both committed and
 * left here is stored once.
 */
public final class DecisionJournal {

  private static final Logger log = LoggerFactory.getLogger(DecisionJournal.class);
  private static final String SUFFIX = ".decision.json";

  private final Vertx vertx;
  private final Path dir;

  public DecisionJournal(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  /** Writes the decision's actions, incidents and alerts under {@code id}, synced to disk; completes with its file. */
  public Future<Path> write(String id, Facts facts) {
    JsonObject entry = toJson(facts);
    return vertx.executeBlocking(() -> {
      Files.createDirectories(dir);
      Path file = dir.resolve(id + SUFFIX);
      Path part = dir.resolve(id + ".part");
      try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(ByteBuffer.wrap(entry.encode().getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
      Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
        directory.force(true);
      }
      return file;
    }, false);
  }

  /** The store has committed the decision: its file goes. */
  public Future<Void> remove(Path file) {
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(file);
      return null;
    }, false);
  }

  /** At start: writes every decision left by an earlier run to the store, then deletes their files. */
  public Future<Integer> replayInto(Store store) {
    return vertx.executeBlocking(this::leftOver, false).compose(files -> {
      if (files.isEmpty()) {
        return Future.succeededFuture(0);
      }
      Facts facts = new Facts();
      for (Path file : files) {
        try {
          facts.addAll(fromJson(new JsonObject(Files.readString(file))));
        } catch (IOException | RuntimeException e) {
          log.error("decision journal {} unreadable, left in place: {}", file, e.getMessage());
          return Future.failedFuture(e);
        }
      }
      return store.write(facts)
        .compose(v -> vertx.executeBlocking(() -> {
          for (Path file : files) {
            Files.deleteIfExists(file);
          }
          return files.size();
        }, false))
        .onSuccess(n -> log.warn("{} decision(s) journaled on this host by the last run were written to the store", n));
    });
  }

  private List<Path> leftOver() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  static JsonObject toJson(Facts facts) {
    JsonArray actions = new JsonArray();
    facts.actions.values().forEach(a -> actions.add(new JsonObject().put("commandId", a.commandId())
      .put("agentId", a.agentId()).put("service", a.service()).put("action", a.action()).put("reason", a.reason())
      .put("issuedBy", a.issuedBy()).put("issuedAt", text(a.issuedAt())).put("expiresAt", text(a.expiresAt()))
      .put("epoch", a.epoch()).put("status", a.status()).put("detail", a.detail())
      .put("finishedAt", text(a.finishedAt())).put("durationMs", a.durationMs())));
    JsonArray incidents = new JsonArray();
    facts.incidents.values().forEach(i -> incidents.add(new JsonObject().put("id", i.id()).put("agentId", i.agentId())
      .put("checkId", i.checkId()).put("openedAt", text(i.openedAt())).put("closedAt", text(i.closedAt()))
      .put("reason", i.reason())));
    JsonArray alerts = new JsonArray();
    facts.alerts.forEach(a -> alerts.add(new JsonObject().put("id", a.id()).put("raisedAt", text(a.raisedAt()))
      .put("body", a.body())));
    return new JsonObject().put("actions", actions).put("incidents", incidents).put("alerts", alerts);
  }

  static Facts fromJson(JsonObject json) {
    Facts facts = new Facts();
    for (Object item : json.getJsonArray("actions", new JsonArray())) {
      JsonObject a = (JsonObject) item;
      facts.actions.put(a.getString("commandId"), new Facts.Action(a.getString("commandId"), a.getString("agentId"),
        a.getString("service"), a.getString("action"), a.getString("reason"), a.getString("issuedBy"),
        instant(a.getString("issuedAt")), instant(a.getString("expiresAt")), a.getLong("epoch", 0L),
        a.getString("status"), a.getString("detail"), instant(a.getString("finishedAt")), a.getLong("durationMs")));
    }
    for (Object item : json.getJsonArray("incidents", new JsonArray())) {
      JsonObject i = (JsonObject) item;
      facts.incidents.put(i.getString("id"), new Facts.Incident(i.getString("id"), i.getString("agentId"),
        i.getString("checkId"), instant(i.getString("openedAt")), instant(i.getString("closedAt")),
        i.getString("reason")));
    }
    for (Object item : json.getJsonArray("alerts", new JsonArray())) {
      JsonObject a = (JsonObject) item;
      facts.alerts.add(new Facts.Alert(a.getString("id"), instant(a.getString("raisedAt")), a.getJsonObject("body")));
    }
    return facts;
  }

  /** The decision's part of an outcome's facts: what a command must not leave without. */
  public static Facts decisionOf(Facts facts) {
    Facts decision = new Facts();
    decision.actions.putAll(facts.actions);
    decision.incidents.putAll(facts.incidents);
    decision.alerts.addAll(facts.alerts);
    return decision;
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
