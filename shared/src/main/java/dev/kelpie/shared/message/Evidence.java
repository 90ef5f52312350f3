package dev.kelpie.shared.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent saw of a service just before it killed it (or when an operator asked for a dump): the process's
 * /proc status, a JVM's thread dump, the last lines of its output, and for a heartbeat check the time of the last
 * kick. Each part is null when it could not be had; {@code missing} says why, in words. Texts are bounded by the
 * agent ({@link #MAX_DUMP_CHARS}, {@link #MAX_OUTPUT_CHARS}) so a result stays a small frame.
 */
public record Evidence(Instant takenAt, long tookMs, Long pid, String state, Long rssBytes, Integer threads,
                       Integer fds, String threadDump, String outputTail, String outputSource, Instant lastKick,
                       String heartbeatCheck, List<String> missing) {

  public static final int MAX_DUMP_CHARS = 48 * 1024;
  public static final int MAX_OUTPUT_CHARS = 16 * 1024;

  public Evidence {
    missing = missing == null ? List.of() : List.copyOf(missing);
  }

  /** One line a person reads first: "pid 41 S (sleeping), 52 MiB, 19 threads, 12 fds; thread dump 14 KB". */
  public String summary() {
    StringBuilder text = new StringBuilder(pid == null ? "no process" : "pid " + pid);
    if (state != null) {
      text.append(' ').append(state);
    }
    if (rssBytes != null) {
      text.append(", ").append(rssBytes / (1024 * 1024)).append(" MiB");
    }
    if (threads != null) {
      text.append(", ").append(threads).append(" threads");
    }
    if (fds != null) {
      text.append(", ").append(fds).append(" fds");
    }
    if (threadDump != null) {
      text.append("; thread dump ").append(Math.max(1, threadDump.length() / 1024)).append(" KB");
    }
    if (outputTail != null) {
      text.append("; ").append(outputTail.lines().count()).append(" lines of output");
    }
    if (lastKick != null) {
      text.append("; last kick ").append(lastKick);
    }
    return text.toString();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("takenAt", takenAt.toEpochMilli()).put("tookMs", tookMs)
      .put("summary", summary()).put("missing", new JsonArray(new ArrayList<>(missing)));
    putIfSet(json, "pid", pid);
    putIfSet(json, "state", state);
    putIfSet(json, "rssBytes", rssBytes);
    putIfSet(json, "threads", threads);
    putIfSet(json, "fds", fds);
    putIfSet(json, "threadDump", threadDump);
    putIfSet(json, "outputTail", outputTail);
    putIfSet(json, "outputSource", outputSource);
    putIfSet(json, "lastKick", lastKick == null ? null : lastKick.toEpochMilli());
    putIfSet(json, "heartbeatCheck", heartbeatCheck);
    return json;
  }

  public static Evidence fromJson(JsonObject json) {
    Long threadCount = Json.optionalNumber(json, "threads");
    Long fdCount = Json.optionalNumber(json, "fds");
    JsonArray missing = json.getValue("missing") == null ? new JsonArray() : Json.array(json, "missing");
    List<String> notes = new ArrayList<>();
    missing.forEach(note -> notes.add(String.valueOf(note)));
    return new Evidence(Json.instant(json, "takenAt"), Json.number(json, "tookMs"), Json.optionalNumber(json, "pid"),
      Json.optionalString(json, "state"), Json.optionalNumber(json, "rssBytes"),
      threadCount == null ? null : threadCount.intValue(), fdCount == null ? null : fdCount.intValue(),
      Json.optionalString(json, "threadDump"), Json.optionalString(json, "outputTail"),
      Json.optionalString(json, "outputSource"), Json.optionalInstant(json, "lastKick"),
      Json.optionalString(json, "heartbeatCheck"), notes);
  }

  private static void putIfSet(JsonObject json, String field, Object value) {
    if (value != null) {
      json.put(field, value);
    }
  }
}
