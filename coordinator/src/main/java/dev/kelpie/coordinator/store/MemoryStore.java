package dev.kelpie.coordinator.store;

import dev.kelpie.coordinator.alert.AlertOutbox;
import io.vertx.core.Future;

import java.time.Instant;

/**
 * History in memory, for running without a database: the same answers as PostgreSQL for recent history, bounded
 * (the newest {@value MemoryTables#KEPT} of each kind are kept), and gone when the coordinator stops.
 */
public final class MemoryStore implements Store {

  private final MemoryTables tables = new MemoryTables();
  private final HistoryReader history = new MemoryHistory(tables);
  private final AlertOutbox outbox = new MemoryAlertOutbox();
  private long epoch;

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public boolean writesInPlace() {
    return true;
  }

  @Override
  public synchronized Future<Long> open(long proposedEpoch) {
    epoch = Math.max(proposedEpoch, epoch + 1);
    return Future.succeededFuture(epoch);
  }

  @Override
  public Future<Restored> restore() {
    return Future.succeededFuture(tables.restored(Instant.now()));
  }

  @Override
  public Future<Void> write(Facts facts) {
    tables.add(facts);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public HistoryReader history() {
    return history;
  }

  @Override
  public AlertOutbox outbox() {
    return outbox;
  }

  @Override
  public Future<Long> purge(Instant successesBefore, Instant failuresBefore) {
    return Future.succeededFuture(tables.purge(successesBefore, failuresBefore));
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
