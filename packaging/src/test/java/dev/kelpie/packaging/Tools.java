package dev.kelpie.packaging;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Debian's own tools, run as programs; absent ones skip the test locally and fail it under CI=true. */
final class Tools {

  private Tools() {
  }

  record Run(int exit, String output) {
  }

  static void require(String tool, String debianPackage) {
    boolean present = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin").stream()
      .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    if (!present && System.getenv("CI") == null) {
      Assumptions.abort("no " + tool + ": apt-get install " + debianPackage);
    }
    assertThat(present).as(tool + " (Debian package " + debianPackage + "; .ci/run installs it)").isTrue();
  }

  static Run run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " still runs after 60 s");
    }
    return new Run(process.exitValue(), output);
  }
}
