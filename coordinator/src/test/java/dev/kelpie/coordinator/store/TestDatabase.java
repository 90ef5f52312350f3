package dev.kelpie.coordinator.store;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

/**
 * The PostgreSQL the tests use: the one named by KELPIE_TEST_DATABASE_URL; else a Testcontainers one where a Docker
 * engine runs; else the one on localhost:5432 (user postgres, database test). Each caller gets a schema of its
 * own. When none can be had, the test fails saying how to provide one.
 */
public final class TestDatabase {

  private static String url;

  private TestDatabase() {
  }

  /** A postgresql:// URL for the database. */
  public static synchronized String url() {
    if (url == null) {
      url = find();
    }
    return url;
  }

  /** A fresh schema name, unique to the caller. */
  public static String newSchema() {
    return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** Drops a schema a test made, with everything in it. */
  public static void dropSchema(String schema) {
    try (Connection connection = jdbc(null)) {
      connection.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (Exception e) {
      throw new IllegalStateException("cannot drop test schema " + schema, e);
    }
  }

  /** A JDBC connection for assertions (blocking: test threads only). */
  public static Connection jdbc(String schema) throws Exception {
    URI uri = URI.create(url());
    String[] user = uri.getUserInfo() == null ? new String[] {"postgres", ""} : uri.getUserInfo().split(":", 2);
    Connection connection = DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort()
      + uri.getPath(), user[0], user.length > 1 ? user[1] : "");
    if (schema != null) {
      connection.createStatement().execute("SET search_path TO " + schema);
    }
    return connection;
  }

  private static String find() {
    String configured = System.getenv("KELPIE_TEST_DATABASE_URL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    if (dockerAvailable()) {
      PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
      container.start();
      return "postgresql://" + container.getUsername() + ":" + container.getPassword() + "@" + container.getHost()
        + ":" + container.getMappedPort(5432) + "/" + container.getDatabaseName();
    }
    if (reachable("127.0.0.1", 5432)) {
      return "postgresql://postgres@127.0.0.1:5432/test";
    }
    throw new IllegalStateException("no PostgreSQL for the tests: set KELPIE_TEST_DATABASE_URL "
      + "(postgresql://user:password@host:port/database), run a Docker engine for Testcontainers, or start "
      + "PostgreSQL on 127.0.0.1:5432 with a database 'test' the user 'postgres' may use");
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable e) {
      return false;
    }
  }

  private static boolean reachable(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
