package dev.kelpie.agent.supervise.manager;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A long-running child (an argument list, never a shell) whose output lines are notices: {@code journalctl --follow}.
 * It is started on a worker thread and read on a daemon thread of its own, each kept line handed to the caller's
 * context; closing kills it. Its error output goes to a temporary file, and its last words are why the stream ended.
 */
final class ProcessLines implements NoticeStream {

  private static final int LAST_WORDS = 300;

  private final Promise<Void> ended;
  private final AtomicReference<Process> process = new AtomicReference<>();
  private volatile boolean closed;
  private volatile File errors;

  private ProcessLines(Promise<Void> ended) {
    this.ended = ended;
  }

  static NoticeStream open(Vertx vertx, List<String> command, Predicate<String> keep, Consumer<String> onLine) {
    Context context = vertx.getOrCreateContext();
    ProcessLines stream = new ProcessLines(Promise.promise());
    vertx.executeBlocking(() -> {
        stream.errors = File.createTempFile("kelpie-notices", ".err");
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectError(stream.errors).start();
      }, false)
      .onSuccess(started -> {
        stream.process.set(started);
        if (stream.closed) {
          started.destroyForcibly();
        }
        Thread reader = new Thread(() -> stream.read(started, context, keep, onLine), "kelpie-notices-" + started.pid());
        reader.setDaemon(true);
        reader.start();
      })
      .onFailure(failure -> {
        stream.forgetErrors();
        stream.ended.tryFail("cannot run " + command.get(0) + ": " + failure.getMessage());
      });
    return stream;
  }

  @Override
  public Future<Void> ended() {
    return ended.future();
  }

  @Override
  public void close() {
    closed = true;
    Process running = process.get();
    if (running != null) {
      running.descendants().forEach(ProcessHandle::destroyForcibly);
      running.destroyForcibly();
    }
  }

  private void read(Process running, Context context, Predicate<String> keep, Consumer<String> onLine) {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(running.getInputStream(),
      StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (keep.test(line)) {
          String notice = line;
          context.runOnContext(v -> onLine.accept(notice));
        }
      }
      running.waitFor();
      int exit = running.exitValue();
      String said = lastWords();
      context.runOnContext(v -> {
        if (exit == 0) {
          ended.tryComplete();
        } else {
          ended.tryFail("exited with " + exit + (said.isEmpty() ? "" : ": " + said));
        }
      });
    } catch (IOException e) {
      context.runOnContext(v -> ended.tryFail(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      context.runOnContext(v -> ended.tryFail("interrupted"));
    } finally {
      forgetErrors();
    }
  }

  private String lastWords() {
    try {
      String text = Files.readString(errors.toPath(), StandardCharsets.UTF_8).strip();
      return (text.length() <= LAST_WORDS ? text : text.substring(text.length() - LAST_WORDS))
        .replaceAll("\\s*\\n\\s*", "; ");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private void forgetErrors() {
    File file = errors;
    if (file != null) {
      file.delete();
    }
  }
}
