package dev.kelpie.coordinator.conformance;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ecosystem's own tools, run as child processes by the conformance tests: Node with npm packages installed into
 * a folder the tests own ({@code target/conformance/npm}), promtool, python3. A tool missing on a developer's machine
 * skips the test with what to install; under {@code CI=true} it fails it, like the browser tests.
 */
public final class ThirdPartyTool {

  /** The npm packages the tests use, pinned so that a new release cannot change a verdict unnoticed. */
  public static final String STANDARD_WEBHOOKS = "standardwebhooks@1.1.1";

  private static final Path NPM_FOLDER = Path.of("target", "conformance", "npm").toAbsolutePath();

  /** What a finished child process said. */
  public record Run(int exit, String output) {
  }

  private ThirdPartyTool() {
  }

  /** The tool's path; skips the test when it is missing (fails it under CI=true). */
  public static Path require(String command, String install) {
    Path found = onPath(command);
    if (found == null && System.getenv("CI") == null) {
      Assumptions.abort("no " + command + " on PATH: " + install + " (this conformance test runs under CI)");
    }
    assertThat(found).as(command + " is needed by the conformance tests (" + install + "; .ci/run installs it)")
      .isNotNull();
    return found;
  }

  /** The node_modules folder holding {@code spec} (name@version), installed there by npm on first use. */
  public static synchronized Path npmPackage(String spec) {
    Path npm = require("npm", "apt-get install nodejs npm");
    String name = spec.substring(0, spec.lastIndexOf('@'));
    String version = spec.substring(spec.lastIndexOf('@') + 1);
    Path modules = NPM_FOLDER.resolve("node_modules");
    Path manifest = modules.resolve(name).resolve("package.json");
    if (!installed(manifest, version)) {
      // saved to the folder's package.json, so that installing the next package keeps this one
      Run install = run(Duration.ofMinutes(4), NPM_FOLDER, Map.of(), npm.toString(), "install", "--no-audit",
        "--no-fund", "--save-exact", "--prefix", NPM_FOLDER.toString(), spec);
      assertThat(install.exit()).as("npm install " + spec + ":\n" + install.output()).isZero();
    }
    assertThat(installed(manifest, version)).as(spec + " installed in " + NPM_FOLDER).isTrue();
    return modules;
  }

  private static boolean installed(Path manifest, String version) {
    try {
      return Files.isRegularFile(manifest)
        && Files.readString(manifest).contains("\"version\": \"" + version + "\"");
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs a command to its end (at most {@code limit}), output and errors together. */
  public static Run run(Duration limit, Path directory, Map<String, String> env, String... command) {
    return run(limit, directory, env, Path.of("/dev/null"), command);
  }

  /** Runs a command reading {@code input} as its standard input. */
  public static Run run(Duration limit, Path directory, Map<String, String> env, Path input, String... command) {
    try {
      Files.createDirectories(directory);
      Path output = Files.createTempFile("kelpie-tool", ".out");
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(input.toFile()));
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + limit + ":\n"
          + Files.readString(output, StandardCharsets.UTF_8));
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      Files.deleteIfExists(output);
      return new Run(process.exitValue(), text);
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + List.of(command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path onPath(String command) {
    List<Path> candidates = new ArrayList<>();
    for (String folder : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!folder.isEmpty()) {
        candidates.add(Path.of(folder, command));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }
}
