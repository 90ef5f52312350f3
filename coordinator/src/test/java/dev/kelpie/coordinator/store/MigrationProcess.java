package dev.kelpie.coordinator.store;

import io.vertx.pgclient.PgConnectOptions;

/** A coordinator's start reduced to its migrations, in a process of its own that a test can kill: url, schema. */
public final class MigrationProcess {

  private MigrationProcess() {
  }

  public static void main(String[] args) {
    Migrations.run(PgConnectOptions.fromUri(args[0]), args[1]);
  }
}
