package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a database check connects: a PostgreSQL URL as people paste it ({@code postgresql://}, {@code postgres://}
 * or {@code jdbc:postgresql://}), a user, and a password from the environment ({@code passwordEnv}) or a file
 * ({@code passwordFile}), read at every connect and never kept in the config, logged or shown.
 */
public record DatabaseLink(String host, int port, String database, String user, String passwordEnv,
                           Path passwordFile, SslMode sslMode, String applicationName) {

  static final List<String> KEYS = List.of("database", "user", "passwordEnv", "passwordFile");
  private static final List<String> PARAMETERS = List.of("user", "sslmode", "ApplicationName");
  private static final String EXAMPLE = "postgresql://127.0.0.1:5432/app (or jdbc:postgresql://127.0.0.1:5432/app)";

  /** The URL without user or password, as the dashboard shows it. */
  public String describe() {
    return "postgresql://" + host + ":" + port + "/" + database;
  }

  /** Connect options with the password read now (blocking: a file read). */
  PgConnectOptions options() throws IOException {
    PgConnectOptions options = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
      .setUser(user).setSslMode(sslMode)
      .addProperty("application_name", applicationName);
    if (passwordEnv != null) {
      String password = System.getenv(passwordEnv);
      if (password == null) {
        throw new IOException("the environment variable " + passwordEnv + " (passwordEnv) is not set");
      }
      options.setPassword(password);
    } else if (passwordFile != null) {
      options.setPassword(Files.readString(passwordFile).strip());
    }
    return options;
  }

  static DatabaseLink read(ConfigNode node) {
    String text = node.string("database", "a PostgreSQL URL like " + EXAMPLE);
    String user = node.optionalString("user", null);
    String passwordEnv = node.optionalString("passwordEnv", null);
    String passwordFile = node.optionalString("passwordFile", null);
    if (passwordEnv != null && passwordFile != null) {
      node.problem("passwordFile", "give passwordEnv or passwordFile, not both");
    }
    if (passwordEnv != null && System.getenv(passwordEnv) == null) {
      node.problem("passwordEnv", "the environment variable " + passwordEnv + " is not set");
    }
    if (passwordFile != null && !Files.isReadable(Path.of(passwordFile))) {
      node.problem("passwordFile", "cannot read " + passwordFile);
    }
    DatabaseLink fallback = new DatabaseLink("127.0.0.1", 5432, "postgres", user == null ? "postgres" : user,
      passwordEnv, passwordFile == null ? null : Path.of(passwordFile), SslMode.DISABLE, "kelpie-agent");
    if (text == null) {
      return fallback;
    }
    try {
      return parse(text, user, fallback);
    } catch (IllegalArgumentException e) {
      node.problem("database", e.getMessage());
      return fallback;
    }
  }

  private static DatabaseLink parse(String text, String user, DatabaseLink fallback) {
    String url = text.strip();
    if (url.startsWith("jdbc:")) {
      url = url.substring("jdbc:".length());
      if (!url.startsWith("postgresql:")) {
        throw new IllegalArgumentException("only PostgreSQL is supported; expected a URL like " + EXAMPLE + ", got \""
          + text + "\"");
      }
      if (!url.startsWith("postgresql://")) {
        throw new IllegalArgumentException("the JDBC short form without a host is not supported; write the host, "
          + "like jdbc:postgresql://127.0.0.1:5432/app, got \"" + text + "\"");
      }
    } else if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new IllegalArgumentException("expected a URL like " + EXAMPLE + ", got \"" + text + "\"");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a valid URL (" + e.getReason() + "), got \"" + text + "\"");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("expected one host (several hosts, for failover, are not supported), like "
        + EXAMPLE + ", got \"" + text + "\"");
    }
    String database = uri.getPath() == null || uri.getPath().length() <= 1 ? null : uri.getPath().substring(1);
    if (database == null) {
      throw new IllegalArgumentException("names no database; expected a URL like " + EXAMPLE);
    }
    String userInfo = uri.getUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      throw new IllegalArgumentException("has a password in it, which would be shown and logged with the URL; put "
        + "it in passwordEnv or passwordFile");
    }
    Map<String, String> parameters = parameters(uri.getRawQuery());
    if (parameters.containsKey("password")) {
      throw new IllegalArgumentException("has a password parameter, which would be shown and logged with the URL; "
        + "put it in passwordEnv or passwordFile");
    }
    parameters.keySet().stream().filter(name -> !PARAMETERS.contains(name)).findFirst().ifPresent(name -> {
      throw new IllegalArgumentException("parameter '" + name + "' is not supported (supported: "
        + String.join(", ", PARAMETERS) + ")");
    });
    String named = user != null ? user : userInfo != null ? userInfo : parameters.getOrDefault("user", "postgres");
    SslMode ssl = SslMode.DISABLE;
    if (parameters.containsKey("sslmode")) {
      try {
        ssl = SslMode.of(parameters.get("sslmode").toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("sslmode must be disable, allow, prefer, require, verify-ca or "
          + "verify-full, got \"" + parameters.get("sslmode") + "\"");
      }
    }
    return new DatabaseLink(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, named,
      fallback.passwordEnv(), fallback.passwordFile(), ssl,
      parameters.getOrDefault("ApplicationName", fallback.applicationName()));
  }

  private static Map<String, String> parameters(String query) {
    Map<String, String> parameters = new TreeMap<>();
    if (query == null || query.isEmpty()) {
      return parameters;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      parameters.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return parameters;
  }
}
