package dev.kelpie.agent.supervise;

import dev.kelpie.shared.message.Evidence;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One taking of evidence on a process, filled in step by step on a worker thread ({@link #read}) while the caller
 * may take a {@link #snapshot} at any time (its bound ran out): every field is guarded by this object's lock. The
 * steps, cheapest first: /proc status, the output log's last lines, then a JVM's thread dump, by SIGQUIT when the
 * agent keeps the JVM's output (the JVM prints it there at once), else by {@code jcmd <pid> Thread.print}.
 */
final class ProcessEvidence {

  static final int TAIL_LINES = 100;
  private static final int TAIL_BYTES = 64 * 1024;
  private static final Path PROC = Path.of("/proc");

  private final Long pid;
  private final Path outputLog;
  private final long deadlineNanos;
  private String state;
  private Long rssBytes;
  private Integer threads;
  private Integer fds;
  private String threadDump;
  private String outputTail;
  private String outputSource;
  private Instant lastKick;
  private String heartbeatCheck;
  private boolean jvm;
  private final List<String> missing = new ArrayList<>();

  ProcessEvidence(Long pid, Path outputLog, Duration bound) {
    this.pid = pid;
    this.outputLog = outputLog;
    this.deadlineNanos = System.nanoTime() + bound.toNanos();
  }

  /** Blocks, up to the deadline: call on a worker. */
  void read() {
    if (pid == null) {
      note("no process: nothing to read in /proc and no thread dump");
    } else {
      status();
    }
    long logSize = -1;
    if (outputLog != null && Files.isReadable(outputLog)) {
      try {
        logSize = Files.size(outputLog);
        String tail = tail(outputLog, logSize);
        synchronized (this) {
          outputTail = tail;
          outputSource = outputLog.toString();
        }
      } catch (IOException e) {
        note("output log " + outputLog + ": " + e.getMessage());
      }
    }
    boolean isJvm = pid != null && jvm();
    boolean stopped;
    synchronized (this) {
      jvm = isJvm;
      stopped = state != null && state.startsWith("T");
    }
    if (isJvm && stopped) {
      note("thread dump: the process is stopped (" + state() + "); a JVM answers only once continued");
    } else if (isJvm) {
      threadDump(logSize);
    }
  }

  synchronized void output(String text, String source) {
    if (text != null && !text.isBlank() && outputTail == null) {
      outputTail = lastLines(text, TAIL_LINES, Evidence.MAX_OUTPUT_CHARS);
      outputSource = source;
    }
  }

  synchronized void kick(JsonObject reply) {
    if (reply != null && reply.getValue("lastKick") instanceof Number millis) {
      lastKick = Instant.ofEpochMilli(millis.longValue());
    }
    if (reply != null) {
      heartbeatCheck = reply.getString("check");
      if (lastKick == null) {
        missing.add("heartbeat " + heartbeatCheck + ": no kick since the agent started");
      }
    }
  }

  private synchronized String state() {
    return state;
  }

  synchronized void note(String why) {
    missing.add(why);
  }

  /** What is had now; {@code late}, when the bound ran out, names what is still missing. */
  synchronized Evidence snapshot(Instant began, Instant now, String late) {
    List<String> notes = new ArrayList<>(missing);
    if (late != null) {
      if (pid != null && state == null) {
        notes.add("/proc status: " + late);
      }
      if (threadDump == null && jvm && missing.stream().noneMatch(note -> note.startsWith("thread dump"))) {
        notes.add("thread dump: " + late);
      }
    }
    return new Evidence(began, Duration.between(began, now).toMillis(), pid, state, rssBytes, threads, fds,
      threadDump, outputTail, outputSource, lastKick, heartbeatCheck, notes);
  }

  private void status() {
    Path dir = PROC.resolve(Long.toString(pid));
    try {
      List<String> lines = Files.readAllLines(dir.resolve("status"));
      int open;
      try (Stream<Path> entries = Files.list(dir.resolve("fd"))) {
        open = (int) entries.count();
      } catch (IOException e) {
        open = -1;
        note("open files: " + e.getMessage());
      }
      synchronized (this) {
        state = field(lines, "State:");
        String rss = field(lines, "VmRSS:");
        rssBytes = rss == null ? null : Long.parseLong(rss.replaceAll("\\D", "")) * 1024;
        String count = field(lines, "Threads:");
        threads = count == null ? null : Integer.valueOf(count);
        fds = open < 0 ? null : open;
      }
    } catch (IOException | RuntimeException e) {
      note("/proc status of pid " + pid + ": " + e.getMessage());
    }
  }

  private static String field(List<String> lines, String name) {
    return lines.stream().filter(line -> line.startsWith(name)).findFirst()
      .map(line -> line.substring(name.length()).strip()).orElse(null);
  }

  /** A HotSpot JVM that takes SIGQUIT as "print a thread dump" (not with -Xrs, where it would end it). */
  private boolean jvm() {
    String commandLine = ProcessTable.commandLine(pid);
    String program = commandLine.isEmpty() ? "" : commandLine.split(" ")[0];
    return (program.equals("java") || program.endsWith("/java")) && !commandLine.contains(" -Xrs");
  }

  private void threadDump(long logSize) {
    String dump = logSize >= 0 ? byQuit(logSize) : null;
    if (dump == null) {
      dump = byJcmd();
    }
    if (dump != null) {
      String bounded = dump.length() <= Evidence.MAX_DUMP_CHARS ? dump
        : dump.substring(0, Evidence.MAX_DUMP_CHARS) + "\n... (cut at " + Evidence.MAX_DUMP_CHARS + " characters)";
      synchronized (this) {
        threadDump = bounded;
      }
    }
  }

  /** SIGQUIT, then the dump the JVM appends to its output: from "Full thread dump" until the log stops growing. */
  private String byQuit(long before) {
    try {
      Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).redirectErrorStream(true).start();
      if (!kill.waitFor(remainingMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        kill.destroyForcibly();
        note("thread dump: SIGQUIT to pid " + pid + " could not be sent");
        return null;
      }
      long size = before;
      long stillSince = System.nanoTime();
      while (remainingMillis() > 0) {
        Thread.sleep(50);
        long now = Files.size(outputLog);
        if (now != size) {
          size = now;
          stillSince = System.nanoTime();
        } else if (size > before && System.nanoTime() - stillSince > TimeUnit.MILLISECONDS.toNanos(150)) {
          break;
        }
      }
      String added = read(outputLog, before, size);
      int start = added.indexOf("Full thread dump");
      if (start < 0) {
        note("thread dump: nothing in " + outputLog + " after SIGQUIT; trying jcmd");
        return null;
      }
      return added.substring(start);
    } catch (IOException e) {
      note("thread dump by SIGQUIT: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private String byJcmd() {
    Path jcmd = jcmd();
    if (jcmd == null) {
      note("thread dump: no jcmd beside the service's java or the agent's");
      return null;
    }
    File out = null;
    try {
      out = File.createTempFile("kelpie-dump", ".txt");
      Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
        .redirectErrorStream(true).redirectOutput(out).start();
      if (!process.waitFor(remainingMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        note("thread dump: jcmd did not finish in time");
        return null;
      }
      String text = Files.readString(out.toPath());
      if (process.exitValue() != 0) {
        note("thread dump: jcmd exited with " + process.exitValue() + ": " + lastLines(text, 3, 500));
        return null;
      }
      return text;
    } catch (IOException e) {
      note("thread dump: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      if (out != null) {
        out.delete();
      }
    }
  }

  private Path jcmd() {
    try {
      Path exe = Files.readSymbolicLink(PROC.resolve(pid + "/exe"));
      Path beside = exe.resolveSibling("jcmd");
      if (Files.isExecutable(beside)) {
        return beside;
      }
    } catch (IOException | UnsupportedOperationException e) {
      // another user's process: fall back to the agent's own JDK
    }
    Path own = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    return Files.isExecutable(own) ? own : null;
  }

  private long remainingMillis() {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private static String tail(Path file, long size) throws IOException {
    long from = Math.max(0, size - TAIL_BYTES);
    return lastLines(read(file, from, size), TAIL_LINES, Evidence.MAX_OUTPUT_CHARS);
  }

  private static String read(Path file, long from, long to) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, Math.min(to - from, 4L * Evidence.MAX_DUMP_CHARS))];
      raf.seek(from);
      raf.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  static String lastLines(String text, int lines, int maxChars) {
    List<String> all = text.lines().toList();
    String kept = String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    return kept.length() <= maxChars ? kept : kept.substring(kept.length() - maxChars);
  }
}
