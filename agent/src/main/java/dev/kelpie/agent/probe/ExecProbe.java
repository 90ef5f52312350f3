package dev.kelpie.agent.probe;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs an allow-listed program (no shell) and reads its exit code the Nagios way: 0 ok, 1 warning, 2 critical,
 * anything else unknown. The program file's SHA-256 is checked against its pin before every run. Cancelled at the
 * check's timeout, it kills the program's whole tree. The first lines of its output are the detail.
 */
final class ExecProbe implements Probe {

  private static final int HEAD_BYTES = 4096;
  private static final int HEAD_LINES = 5;
  private static final long OUTPUT_GRACE_MILLIS = 200;
  private static final File NO_INPUT = new File("/dev/null");

  private final Vertx vertx;
  private final ExecTarget target;

  ExecProbe(ExecTarget target, ProbeTools tools) {
    this.vertx = tools.vertx();
    this.target = target;
  }

  /** The program file is not the one the allow-list pins: the detail names both hashes. */
  static final class ProgramChanged extends Exception {
    ProgramChanged(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return vertx.executeBlocking(this::start, false)
      .compose(process -> watch(process, cancellation))
      .otherwise(failure -> failure instanceof ProgramChanged
        ? Finding.down(failure.getMessage())
        : Finding.down("cannot run " + target.program() + ": " + failure.getMessage()));
  }

  private Process start() throws IOException, ProgramChanged {
    String actual = sha256(target);
    if (!actual.equals(target.sha256())) {
      throw new ProgramChanged("refused: " + target.program() + " has SHA-256 " + actual
        + ", the allow-list pins " + target.sha256());
    }
    return new ProcessBuilder(target.command()).redirectErrorStream(true)
      .redirectInput(ProcessBuilder.Redirect.from(NO_INPUT)).start();
  }

  private Future<Finding> watch(Process process, Cancellation cancellation) {
    cancellation.onCancel(() -> vertx.executeBlocking(() -> killTree(process), false));
    OutputHead head = new OutputHead();
    Future<Void> drained = vertx.executeBlocking(() -> head.drain(process.getInputStream()), false);
    return Future.fromCompletionStage(process.onExit(), vertx.getOrCreateContext())
      .compose(exited -> drained.timeout(OUTPUT_GRACE_MILLIS, TimeUnit.MILLISECONDS).otherwiseEmpty())
      .map(v -> verdict(process.exitValue(), head.lines()));
  }

  private Finding verdict(int exit, String output) {
    String says = output.isEmpty() ? ", no output" : ": " + output;
    return switch (exit) {
      case 0 -> Finding.up("ok (exit 0)" + says);
      case 1 -> target.warningFails() ? Finding.down("warning (exit 1)" + says) : Finding.up("warning (exit 1)" + says);
      case 2 -> Finding.down("critical (exit 2)" + says);
      default -> Finding.down("unknown (exit " + exit + ")" + says);
    };
  }

  private static String sha256(ExecTarget target) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(target.program())) {
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  /** SIGKILL to the program and every descendant, including children forked while the tree is being killed. */
  private static Void killTree(Process process) {
    List<ProcessHandle> tree = process.descendants().collect(Collectors.toList());
    process.destroyForcibly();
    for (int pass = 0; pass < 3 && !tree.isEmpty(); pass++) {
      tree.forEach(ProcessHandle::destroyForcibly);
      tree = tree.stream().flatMap(ProcessHandle::descendants).filter(ProcessHandle::isAlive)
        .collect(Collectors.toList());
    }
    return null;
  }

  /** The first bytes of the output, kept while the rest is read and dropped so the program never blocks on it. */
  private static final class OutputHead {
    private final byte[] head = new byte[HEAD_BYTES];
    private int size;

    Void drain(InputStream in) throws IOException {
      try (in) {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          synchronized (this) {
            int keep = Math.min(n, HEAD_BYTES - size);
            System.arraycopy(buffer, 0, head, size, keep);
            size += keep;
          }
        }
      }
      return null;
    }

    synchronized String lines() {
      return new String(head, 0, size, StandardCharsets.UTF_8).lines().map(String::strip)
        .filter(line -> !line.isEmpty()).limit(HEAD_LINES).collect(Collectors.joining("\n"));
    }
  }
}
