package dev.kelpie.coordinator.config;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.ConfigSource;

import java.nio.file.Path;
import java.time.Duration;

/** Reads the {@code store:} section; KELPIE_DB_URL, when set, is the PostgreSQL URL whatever the file says. */
final class StoreReader {

  private static final String URL_FORM = "postgres(ql)?://.+";
  private static final String URL_EXAMPLE = "postgresql://user:password@host:5432/database";

  private final ConfigSource source;

  StoreReader(ConfigSource source) {
    this.source = source;
  }

  CoordinatorConfig.StoreSettings read(ConfigNode node) {
    String url = source.env("KELPIE_DB_URL");
    if (url != null && !url.matches(URL_FORM)) {
      source.problem("store.postgres.url", "KELPIE_DB_URL: expected a URL like " + URL_EXAMPLE + ", got \""
        + withoutPassword(url) + "\"");
    }
    String schema = null;
    int poolSize = 4;
    int backlog = 200_000;
    Duration successes = Duration.ofDays(2);
    Duration failures = Duration.ofDays(14);
    Duration writeTimeout = Duration.ofSeconds(3);
    String journal = null;
    if (node != null) {
      ConfigNode postgres = node.child("postgres");
      if (postgres != null) {
        String configured = postgres.optionalString("url", null);
        if (configured != null && !configured.matches(URL_FORM)) {
          postgres.problem("url", "expected a URL like " + URL_EXAMPLE + ", got \"" + withoutPassword(configured) + "\"");
        }
        url = url != null ? url : configured;
        schema = postgres.optionalString("schema", null);
        if (schema != null && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
          postgres.problem("schema", "expected a lowercase SQL name, got \"" + schema + "\"");
        }
        poolSize = postgres.optionalInt("poolSize", poolSize, 1, 64);
        postgres.finish();
      }
      backlog = node.optionalInt("backlog", backlog, 1000, 10_000_000);
      writeTimeout = node.optionalDuration("writeTimeout", writeTimeout);
      if (writeTimeout.compareTo(Duration.ofMillis(100)) < 0) {
        node.problem("writeTimeout", "must be at least 100ms, got " + writeTimeout.toMillis() + "ms");
      }
      journal = node.optionalString("journal", null);
      ConfigNode retention = node.child("retention");
      if (retention != null) {
        successes = retention.optionalDuration("successes", successes);
        failures = retention.optionalDuration("failures", failures);
        retention.finish();
      }
      node.finish();
    }
    Path journalDir = journal != null ? Path.of(journal)
      : Path.of(System.getProperty("java.io.tmpdir"), "kelpie-coordinator-journal", schema == null ? "public" : schema);
    return new CoordinatorConfig.StoreSettings(url, schema, poolSize, backlog, successes, failures, writeTimeout,
      journalDir);
  }

  /** A URL fit for an error message: a password in it is replaced by ***. */
  private static String withoutPassword(String url) {
    return url.replaceFirst("://([^:/@]*):[^@/]*@", "://$1:***@");
  }
}
