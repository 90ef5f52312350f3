package dev.kelpie.agent.supervise;

import dev.kelpie.demo.DemoService;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real supervisord (Debian's {@code supervisor}) of the test's own: config, unix socket, inet_http_server on a free
 * loopback port, pidfile and logs in a temporary directory, running the demo service as program {@code demo}
 * (autorestart off, so what happens after an exit is Kelpie's decision). Never the system's supervisord.
 */
final class RealSupervisord implements AutoCloseable {

  private static final Pattern STATUS = Pattern.compile("^(\\S+)\\s+(\\S+)\\s+(?:pid (\\d+),)?.*$");

  final Path dir;
  final Path config;
  final Path socket;
  final int rpcPort;
  final int demoPort;
  private final Process process;

  private RealSupervisord(Path dir, Path config, Path socket, int rpcPort, int demoPort, Process process) {
    this.dir = dir;
    this.config = config;
    this.socket = socket;
    this.rpcPort = rpcPort;
    this.demoPort = demoPort;
    this.process = process;
  }

  static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/supervisord")) && Files.isExecutable(Path.of("/usr/bin/supervisorctl"));
  }

  static RealSupervisord start(Path dir) throws Exception {
    return start(dir, null, null);
  }

  /** With {@code username} and {@code password} (or none when null) asked of every caller, supervisorctl included. */
  static RealSupervisord start(Path dir, String username, String password) throws Exception {
    String credentials = username == null ? "" : "username=" + username + "\npassword=" + password + "\n";
    int rpcPort = freePort();
    int demoPort = freePort();
    Path socket = dir.resolve("supervisor.sock");
    Path config = dir.resolve("supervisord.conf");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(config, """
      [unix_http_server]
      file=%1$s/supervisor.sock
      %7$s
      [inet_http_server]
      port=127.0.0.1:%2$d

      [supervisord]
      nodaemon=true
      logfile=%1$s/supervisord.log
      pidfile=%1$s/supervisord.pid
      childlogdir=%1$s
      directory=%1$s

      [rpcinterface:supervisor]
      supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

      [supervisorctl]
      serverurl=unix://%1$s/supervisor.sock
      %7$s
      [program:demo]
      command=%3$s -cp %4$s %5$s --port %6$d --host 127.0.0.1
      autostart=true
      autorestart=false
      startsecs=1
      startretries=0
      stopwaitsecs=5
      stdout_logfile=%1$s/demo.log
      redirect_stderr=true
      """.formatted(dir, rpcPort, java, demoClasspath(), DemoService.class.getName(), demoPort, credentials),
      StandardCharsets.UTF_8);
    Process process = new ProcessBuilder("supervisord", "-c", config.toString()).redirectErrorStream(true)
      .redirectOutput(dir.resolve("supervisord.out").toFile()).start();
    RealSupervisord supervisord = new RealSupervisord(dir, config, socket, rpcPort, demoPort, process);
    SupervisorHarness.await(() -> supervisord.pid().isPresent(), "supervisord to run the demo; its log: "
      + dir.resolve("supervisord.log"));
    return supervisord;
  }

  /** The demo's pid as {@code supervisorctl status} shows it; empty unless RUNNING. */
  Optional<Long> pid() {
    String line = status();
    Matcher matcher = STATUS.matcher(line);
    if (matcher.matches() && "RUNNING".equals(matcher.group(2)) && matcher.group(3) != null) {
      return Optional.of(Long.parseLong(matcher.group(3)));
    }
    return Optional.empty();
  }

  /** {@code supervisorctl status demo}, one line. */
  String status() {
    return ctl("status", "demo");
  }

  /** What {@code supervisorctl <arguments>} says, for this supervisord. */
  String ctl(String... arguments) {
    List<String> command = new ArrayList<>(List.of("supervisorctl", "-c", config.toString()));
    command.addAll(List.of(arguments));
    try {
      Process ctl = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(ctl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      ctl.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "supervisorctl failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** The demo's classes, wherever the build put them (a jar or a directory), for supervisord's command line. */
  private static String demoClasspath() throws URISyntaxException {
    return Path.of(DemoService.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** TERM to supervisord stops the demo too; KILL whatever is left. */
  @Override
  public void close() throws Exception {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }
}
