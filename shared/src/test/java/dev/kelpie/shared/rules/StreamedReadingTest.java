package dev.kelpie.shared.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.kelpie.shared.message.Keepalive;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.message.StreamedMessages;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report batches and keepalives read straight from their JSON text ({@link StreamedMessages}) are exactly what the
 * tree readers ({@code fromJson}) read from the same text, or nothing: the gateway then leaves them to the tree reader.
 * The batches of probe results and the keepalives agents write are all read straight.
 */
class StreamedReadingTest {

  private static final JsonFactory JSON = new JsonFactory();
  private static final int TRIES = 2_000;

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.FIRST)
  @Label("an agent's batch of probe results is read straight, as the tree reader reads it")
  void agentBatches(@ForAll("batches") JsonObject batch) {
    assertThat(streamedBatch(batch.encode())).isNotNull().isEqualTo(ReportBatch.fromJson(batch));
  }

  @Property(tries = TRIES / 2, edgeCases = EdgeCasesMode.FIRST)
  @Label("an agent's keepalive is read straight, as the tree reader reads it")
  void agentKeepalives(@ForAll("keepalives") JsonObject keepalive) {
    assertThat(streamedKeepalive(keepalive.encode())).isNotNull().isEqualTo(Keepalive.fromJson(keepalive));
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.FIRST)
  @Label("a mutated batch or keepalive, or random JSON, is read straight as the tree reads it, or left to the tree")
  void mutatedOrRandom(@ForAll("mutatedOrRandom") JsonObject json) {
    sameAsTree(json.encode());
  }

  @Example
  @Label("numbers the tree reader rounds or cuts, fields twice, other report kinds and spellings are left to it")
  void leftToTheTree() {
    String result = "{\"kind\":\"result\",\"agentId\":\"a\",\"seq\":%s,\"checkId\":\"c\",\"time\":1,\"outcome\":%s,"
      + "\"latencyMs\":2,\"detail\":null}";
    List<String> left = List.of(
      batchOf(result.formatted("1.5", "\"up\"")),
      batchOf(result.formatted("18446744073709551617", "\"up\"")),
      batchOf(result.formatted("1", "\"UP\"")),
      batchOf(result.formatted("1", "\"up\"").replace("\"seq\":1", "\"seq\":1,\"seq\":2")),
      batchOf(result.formatted("1", "\"up\"").replace("\"detail\":null", "\"detail\":5")),
      batchOf(result.formatted("1", "\"up\"").replace("\"detail\":null", "\"detail\":[\"x\"]")),
      batchOf(result.formatted("1", "\"up\"").replace("\"checkId\":\"c\"", "\"checkId\":true")),
      batchOf(result.formatted("1", "\"up\"").replace("\"latencyMs\":2", "\"latencyMs\":2.0")),
      batchOf("{\"kind\":\"event\",\"agentId\":\"a\",\"seq\":1}"),
      "{\"agentId\":\"a\",\"agentId\":\"a\",\"sentAt\":1,\"reports\":[]}",
      "{\"agentId\":\"a\",\"sentAt\":1,\"reports\":[],\"vitals\":{\"agentId\":\"a\"}}",
      "{\"agentId\":\"\",\"sentAt\":1,\"reports\":[]}");
    for (String text : left) {
      assertThat(streamedBatch(text)).as(text).isNull();
      sameAsTree(text);
    }
    assertThat(streamedBatch(batchOf(result.formatted("1", "\"down\""))))
      .isEqualTo(ReportBatch.fromJson(new JsonObject(batchOf(result.formatted("1", "\"down\"")))));
  }

  private static String batchOf(String report) {
    return "{\"agentId\":\"a\",\"sentAt\":1,\"reports\":[" + report + "],\"unknown\":[{\"x\":1}]}";
  }

  private static void sameAsTree(String text) {
    ReportBatch batch = streamedBatch(text);
    if (batch != null) {
      assertThat(batch).isEqualTo(ReportBatch.fromJson(new JsonObject(text)));
    }
    Keepalive keepalive = streamedKeepalive(text);
    if (keepalive != null) {
      assertThat(keepalive).isEqualTo(Keepalive.fromJson(new JsonObject(text)));
    }
  }

  private static ReportBatch streamedBatch(String text) {
    try (JsonParser parser = JSON.createParser(text.getBytes(StandardCharsets.UTF_8))) {
      parser.nextToken();
      return StreamedMessages.reportBatch(parser);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Keepalive streamedKeepalive(String text) {
    try (JsonParser parser = JSON.createParser(text.getBytes(StandardCharsets.UTF_8))) {
      parser.nextToken();
      return StreamedMessages.keepalive(parser);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<JsonObject> batches() {
    Arbitrary<String> details = Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().ofMaxLength(20),
      Arbitraries.of("ok", "HTTP 503 \"down\"\n\\", "é ✓ \uD83D\uDE00"));
    Arbitrary<Report> results = Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
        Arbitraries.longs().between(0, 4_000_000_000_000L), Arbitraries.of(Outcome.class),
        Arbitraries.longs().between(-5, 60_000), details)
      .as((check, time, outcome, latency, detail) -> new ProbeResult("a", 0, check, Instant.ofEpochMilli(time),
        outcome, Duration.ofMillis(latency), detail));
    Arbitrary<Keepalive> vitals = Arbitraries.oneOf(Arbitraries.just(null), keepaliveRecords());
    return Combinators.combine(Arbitraries.longs().between(-3, Long.MAX_VALUE - 100), results.list().ofMaxSize(12),
        vitals)
      .as((first, list, riding) -> {
        List<Report> numbered = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          numbered.add(list.get(i).withSeq(first + i));
        }
        return new ReportBatch("a", Instant.ofEpochMilli(1_800_000_000_000L), numbered, riding).toJson();
      });
  }

  @Provide
  Arbitrary<JsonObject> keepalives() {
    return keepaliveRecords().map(Keepalive::toJson);
  }

  @Provide
  Arbitrary<JsonObject> mutatedOrRandom() {
    Arbitrary<JsonObject> mutated = Combinators.combine(Arbitraries.oneOf(batches(), keepalives()),
      Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 2), MessageFuzzTest.value(2))
      .as(MessageFuzzTest::mutate);
    return Arbitraries.oneOf(mutated, MessageFuzzTest.object(3));
  }

  private static Arbitrary<Keepalive> keepaliveRecords() {
    return Combinators.combine(Arbitraries.longs().between(-1, 1L << 40),
        Arbitraries.oneOf(Arbitraries.doubles().between(0, 64), Arbitraries.of(0.0, 1.0, 2.0, 1e-300)),
        Arbitraries.longs().between(-1, 10_000), Arbitraries.integers().between(-1, Limits.MAX_OUTBOX))
      .as((rss, cpu, lag, depth) -> new Keepalive("a", Instant.ofEpochMilli(1_800_000_000_000L), rss, cpu, lag, depth));
  }
}
