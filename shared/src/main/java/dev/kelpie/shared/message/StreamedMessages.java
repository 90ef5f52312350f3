package dev.kelpie.shared.message;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The messages an agent sends most (a {@link ReportBatch} of probe results, a {@link Keepalive}) read straight from
 * the JSON tokens, without a {@code JsonObject} tree in between. Only the shape a well-behaved agent writes is read
 * here: for anything else (another report kind, a field of an unexpected type, a field twice, an outcome not in its
 * wire spelling) the answer is null and the tree reader ({@code fromJson}) has the last word, so what is taken and the
 * words of a refusal stay the tree reader's. What this reads equals what {@code fromJson} reads from the same text.
 */
public final class StreamedMessages {

  private static final Outcome[] OUTCOMES = Outcome.values();
  private static final String[] OUTCOME_WIRES = Arrays.stream(OUTCOMES).map(Json::wire).toArray(String[]::new);

  private StreamedMessages() {
  }

  /** The batch whose object the parser is at ({@code START_OBJECT}), read to its end; null if not the usual shape. */
  public static ReportBatch reportBatch(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String agentId = null;
    Long sentAt = null;
    List<Report> reports = null;
    Keepalive vitals = null;
    boolean vitalsSeen = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      Object read;
      switch (field) {
        case "agentId" -> read = agentId = agentId == null ? text(parser, value) : null;
        case "sentAt" -> read = sentAt = sentAt == null ? number(parser, value) : null;
        case "reports" -> read = reports = reports == null ? probeResults(parser, value, agentId) : null;
        case "vitals" -> {
          read = vitalsSeen ? null : value == JsonToken.VALUE_NULL ? field : (vitals = keepalive(parser));
          vitalsSeen = true;
        }
        default -> {
          parser.skipChildren();
          read = field;
        }
      }
      if (read == null) {
        return null;
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT || agentId == null || sentAt == null || reports == null) {
      return null;
    }
    for (Report report : reports) {
      if (!report.agentId().equals(agentId)) {
        return null;
      }
    }
    return new ReportBatch(agentId, Instant.ofEpochMilli(sentAt), Collections.unmodifiableList(reports), vitals);
  }

  /** The keepalive whose object the parser is at ({@code START_OBJECT}), read to its end; null if not the usual shape. */
  public static Keepalive keepalive(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String agentId = null;
    Long time = null;
    Long rssBytes = null;
    Double cpuLoad = null;
    Long lag = null;
    Long bufferDepth = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      Object read;
      switch (field) {
        case "agentId" -> read = agentId = agentId == null ? text(parser, value) : null;
        case "time" -> read = time = time == null ? number(parser, value) : null;
        case "rssBytes" -> read = rssBytes = rssBytes == null ? number(parser, value) : null;
        case "cpuLoad" -> read = cpuLoad = cpuLoad == null ? fraction(parser, value) : null;
        case "eventLoopLagMs" -> read = lag = lag == null ? number(parser, value) : null;
        case "bufferDepth" -> read = bufferDepth = bufferDepth == null ? number(parser, value) : null;
        default -> {
          parser.skipChildren();
          read = field;
        }
      }
      if (read == null) {
        return null;
      }
    }
    if (parser.currentToken() != JsonToken.END_OBJECT || agentId == null || time == null || rssBytes == null
      || cpuLoad == null || lag == null || bufferDepth == null) {
      return null;
    }
    return new Keepalive(agentId, Instant.ofEpochMilli(time), rssBytes, cpuLoad, lag, bufferDepth.intValue());
  }

  /** {@code agentId}: the batch's, when read before its reports (as agents write it), else null. */
  private static List<Report> probeResults(JsonParser parser, JsonToken value, String agentId) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      return null;
    }
    List<Report> reports = new ArrayList<>();
    String agent = agentId;
    JsonToken next;
    while ((next = parser.nextToken()) == JsonToken.START_OBJECT) {
      ProbeResult result = probeResult(parser, agent);
      if (result == null) {
        return null;
      }
      agent = result.agentId();
      reports.add(result);
    }
    return next == JsonToken.END_ARRAY ? reports : null;
  }

  /**
   * {@code agent}: the agent id the result is expected to carry, taken as that very string when it does (each of a
   * batch's results repeats it); its kind and outcome are matched to theirs in place. Neither makes a new string.
   */
  private static ProbeResult probeResult(JsonParser parser, String agent) throws IOException {
    String kind = null;
    String agentId = null;
    Long seq = null;
    String checkId = null;
    Long time = null;
    Outcome outcome = null;
    Long latency = null;
    String detail = null;
    boolean detailSeen = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      Object read;
      switch (field) {
        case "kind" -> read = kind = kind == null ? text(parser, value, ProbeResult.KIND) : null;
        case "agentId" -> read = agentId = agentId == null ? text(parser, value, agent) : null;
        case "seq" -> read = seq = seq == null ? number(parser, value) : null;
        case "checkId" -> read = checkId = checkId == null ? text(parser, value) : null;
        case "time" -> read = time = time == null ? number(parser, value) : null;
        case "outcome" -> read = outcome = outcome == null ? outcome(parser, value) : null;
        case "latencyMs" -> read = latency = latency == null ? number(parser, value) : null;
        case "detail" -> {
          if (detailSeen || value != JsonToken.VALUE_NULL && value != JsonToken.VALUE_STRING) {
            return null;
          }
          detailSeen = true;
          detail = value == JsonToken.VALUE_NULL ? null : parser.getText();
          read = field;
        }
        default -> {
          parser.skipChildren();
          read = field;
        }
      }
      if (read == null) {
        return null;
      }
    }
    if (!ProbeResult.KIND.equals(kind) || agentId == null || seq == null || checkId == null || time == null
      || outcome == null || latency == null) {
      return null;
    }
    return new ProbeResult(agentId, seq, checkId, Instant.ofEpochMilli(time), outcome, Duration.ofMillis(latency),
      detail);
  }

  /** A non-empty string, as {@link Json#string} takes it. */
  private static String text(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      return null;
    }
    String text = parser.getText();
    return text.isEmpty() ? null : text;
  }

  /** As {@link #text(JsonParser, JsonToken)}, but {@code known} itself when the text is the same (no new string). */
  private static String text(JsonParser parser, JsonToken value, String known) throws IOException {
    if (value == JsonToken.VALUE_STRING && known != null && !known.isEmpty() && textIs(parser, known)) {
      return known;
    }
    return text(parser, value);
  }

  /** Whether the string token the parser is at reads {@code expected}, compared where the parser holds it. */
  private static boolean textIs(JsonParser parser, String expected) throws IOException {
    char[] chars = parser.getTextCharacters();
    int offset = parser.getTextOffset();
    int length = parser.getTextLength();
    if (length != expected.length()) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (chars[offset + i] != expected.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** A whole number within a long: what {@link Json#number} reads without rounding or cutting it. */
  private static Long number(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT) {
      return null;
    }
    JsonParser.NumberType type = parser.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG ? parser.getLongValue() : null;
  }

  private static Double fraction(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_FLOAT && parser.getNumberType() == JsonParser.NumberType.DOUBLE) {
      return parser.getDoubleValue();
    }
    Long whole = number(parser, value);
    return whole == null ? null : whole.doubleValue();
  }

  /** An outcome in its wire spelling (the tree reader takes any case). */
  private static Outcome outcome(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      return null;
    }
    for (int i = 0; i < OUTCOMES.length; i++) {
      if (textIs(parser, OUTCOME_WIRES[i])) {
        return OUTCOMES[i];
      }
    }
    return null;
  }
}
