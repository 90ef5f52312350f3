package dev.kelpie.agent.probe;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** SQL checks on the real PostgreSQL: a value judged against thresholds, the password never shown. */
class SqlProbeTest {

  @TempDir
  Path dir;
  private ProbeHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  @DisplayName("the first row's value is judged against max, min and expect; a failing query is down with the "
    + "server's words, and the password file's content is never in a detail")
  void thresholds() throws Exception {
    Path password = dir.resolve("db.pass");
    Files.writeString(password, "s3cret-Pa55word\n");
    String db = "database: \"" + TestPostgres.jdbcUrl() + "\", passwordFile: \"" + password + "\", interval: 60s, "
      + "timeout: 15s";
    harness = new ProbeHarness("checks:\n"
      + "  - {id: small, type: sql, " + db + ", query: 'SELECT 3 AS queued', max: 10}\n"
      + "  - {id: big, type: sql, " + db + ", query: 'SELECT 42 AS queued, 1 AS other', max: 10, min: 1}\n"
      + "  - {id: column, type: sql, " + db + ", query: 'SELECT 1 AS a, 0 AS lag', column: lag, max: 0}\n"
      + "  - {id: text, type: sql, " + db + ", query: 'SELECT ''on''::text AS mode', expect: 'off'}\n"
      + "  - {id: empty, type: sql, " + db + ", query: 'SELECT 1 WHERE false', max: 1}\n"
      + "  - {id: broken, type: sql, " + db + ", query: 'SELECT * FROM no_such_table', max: 1}\n");
    assertThat(first("small").detail()).isEqualTo("queued = 3");
    assertThat(first("small").up()).isTrue();
    assertThat(first("big").detail()).isEqualTo("queued = 42, over 10");
    assertThat(first("big").up()).isFalse();
    assertThat(first("column").detail()).isEqualTo("lag = 0");
    assertThat(first("text").detail()).isEqualTo("mode = on, expected off");
    assertThat(first("empty").detail()).isEqualTo("the query returned no row");
    assertThat(first("broken").up()).isFalse();
    assertThat(first("broken").detail()).startsWith("query failed: ").contains("no_such_table");
    assertThat(harness.results).allSatisfy(result -> assertThat(result.detail()).doesNotContain("s3cret"));
  }

  private dev.kelpie.shared.message.ProbeResult first(String id) {
    return harness.await(id, 1).get(0);
  }
}
