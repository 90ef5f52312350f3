package dev.kelpie.coordinator.store;

import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema up to date with Flyway, over a JDBC connection used for nothing else. Blocking: run on a worker.
 * A second start changes nothing; a database migrated by a newer Kelpie is refused rather than misread.
 */
final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** Thrown when the database is newer than this code, or cannot be migrated. */
  static final class SchemaException extends RuntimeException {
    SchemaException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static Void run(PgConnectOptions connect, String schema) {
    String url = url(connect);
    Flyway flyway = configure(connect, schema).load();
    for (MigrationInfo applied : flyway.info().applied()) {
      if (applied.getState() == MigrationState.FUTURE_SUCCESS || applied.getState() == MigrationState.FUTURE_FAILED) {
        throw new SchemaException("the database at " + url + " has schema version " + applied.getVersion()
          + ", newer than this coordinator knows (" + latestKnown(flyway) + "); upgrade the coordinator", null);
      }
    }
    try {
      int applied = flyway.migrate().migrationsExecuted;
      log.info("database schema at {}: {} migration(s) applied, now at version {}", url, applied,
        flyway.info().current() == null ? "none" : flyway.info().current().getVersion());
    } catch (FlywayException e) {
      throw new SchemaException("cannot migrate the database at " + url + ": " + e.getMessage(), e);
    }
    return null;
  }

  /** Flyway set up for this database and schema (null: the connection's default), as {@link #run} uses it. */
  static FluentConfiguration configure(PgConnectOptions connect, String schema) {
    var configuration = Flyway.configure()
      .dataSource(url(connect), connect.getUser(), connect.getPassword())
      .locations("classpath:db/migration")
      .validateOnMigrate(true);
    if (schema != null) {
      configuration.schemas(schema).defaultSchema(schema).createSchemas(true);
    }
    return configuration;
  }

  private static String url(PgConnectOptions connect) {
    return "jdbc:postgresql://" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
  }

  private static String latestKnown(Flyway flyway) {
    MigrationInfo[] all = flyway.info().all();
    String latest = "none";
    for (MigrationInfo info : all) {
      if (info.getState() != MigrationState.FUTURE_SUCCESS && info.getState() != MigrationState.FUTURE_FAILED
        && info.getVersion() != null) {
        latest = info.getVersion().toString();
      }
    }
    return latest;
  }
}
