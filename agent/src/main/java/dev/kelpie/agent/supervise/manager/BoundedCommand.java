package dev.kelpie.agent.supervise.manager;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a manager's command line (an argument list, never a shell) on a worker thread, killed when it outlives its
 * time bound. Output goes to files rather than pipes, so a talkative command cannot stall on a full pipe.
 */
final class BoundedCommand {

  private static final int KEEP_CHARS = 8_000;

  /** What the command said; {@code exit} is its exit code. */
  record Outcome(int exit, String out, String err) {

    boolean ok() {
      return exit == 0;
    }

    /** The error output, else the output, on one line: for a message. */
    String said() {
      String text = err.isBlank() ? out : err;
      return text.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
  }

  private final WorkerExecutor workers;
  private final Duration limit;

  BoundedCommand(WorkerExecutor workers, Duration limit) {
    this.workers = workers;
    this.limit = limit;
  }

  Future<Outcome> run(List<String> command) {
    return workers.executeBlocking(() -> runHere(command), false);
  }

  private Outcome runHere(List<String> command) throws IOException, InterruptedException {
    File out = File.createTempFile("kelpie-manager", ".out");
    File err = File.createTempFile("kelpie-manager", ".err");
    try {
      Process process;
      try {
        process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out).redirectError(err).start();
      } catch (IOException e) {
        throw new ManagerException(ManagerException.Code.UNREACHABLE, "cannot run " + command.get(0) + ": "
          + e.getMessage());
      }
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new ManagerException(ManagerException.Code.TIMED_OUT, String.join(" ", command)
          + " did not finish within " + limit.toMillis() + " ms");
      }
      return new Outcome(process.exitValue(), tail(out), tail(err));
    } finally {
      Files.deleteIfExists(out.toPath());
      Files.deleteIfExists(err.toPath());
    }
  }

  private static String tail(File file) throws IOException {
    String text = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    return text.length() <= KEEP_CHARS ? text : text.substring(text.length() - KEEP_CHARS);
  }
}
