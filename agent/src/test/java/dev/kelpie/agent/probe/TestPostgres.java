package dev.kelpie.agent.probe;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.net.URI;
import java.util.UUID;

/** The tests' PostgreSQL (KELPIE_TEST_DATABASE_URL, else the one on 127.0.0.1:5432), and a schema per test class. */
final class TestPostgres {

  static final String URL = System.getenv().getOrDefault("KELPIE_TEST_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/test");

  private TestPostgres() {
  }

  static String newSchema() {
    return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  static Pool pool(Vertx vertx) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(PgConnectOptions.fromUri(URL))
      .using(vertx).build();
  }

  /** The same database as a JDBC URL, the form people paste from their application's config. */
  static String jdbcUrl() {
    URI uri = URI.create(URL);
    String user = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo().split(":")[0];
    return "jdbc:postgresql://" + uri.getHost() + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + uri.getPath()
      + "?user=" + user;
  }
}
