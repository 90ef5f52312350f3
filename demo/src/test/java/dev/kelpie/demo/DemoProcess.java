package dev.kelpie.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The demo service as a real process, started from the compiled classes, killed with its tree on close. */
final class DemoProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("kelpie-demo listening on (http://\\S+) pid=(\\d+)");

  final Process process;
  final URI base;
  final List<String> output;

  private DemoProcess(Process process, URI base, List<String> output) {
    this.process = process;
    this.base = base;
    this.output = output;
  }

  /** Starts the service on an ephemeral port and waits for its "listening" line. */
  static DemoProcess start(String... args) throws Exception {
    return start(java.util.Map.of(), args);
  }

  /** The same, with these variables added to its environment. */
  static DemoProcess start(java.util.Map<String, String> env, String... args) throws Exception {
    Process process = launch(env, args);
    List<String> output = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<URI> listening = CompletableFuture.supplyAsync(() -> awaitListening(reader, output));
    try {
      return new DemoProcess(process, listening.get(15, TimeUnit.SECONDS), output);
    } catch (Exception e) {
      destroyTree(process);
      throw new IllegalStateException("the demo service did not start; its output: " + output, e);
    }
  }

  /** Starts the service with these arguments exactly, for cases where it is expected to refuse them. */
  static Process launch(String... args) throws IOException {
    return launch(java.util.Map.of(), args);
  }

  private static Process launch(java.util.Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", Path.of("target", "classes").toAbsolutePath().toString(),
      DemoService.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    return builder.start();
  }

  private static URI awaitListening(BufferedReader reader, List<String> output) {
    try {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        synchronized (output) {
          output.add(line);
        }
        Matcher matcher = LISTENING.matcher(line);
        if (matcher.matches()) {
          return URI.create(matcher.group(1));
        }
      }
      throw new IllegalStateException("output ended before the listening line");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  @Override
  public void close() {
    destroyTree(process);
  }

  private static void destroyTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
