package dev.kelpie.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A tiny service for Kelpie to watch, with no dependencies. It answers {@code GET /health}, and can be told to hang
 * (the port stays open and accepts connections, but nothing answers any more), to crash, or to turn unhealthy.
 *
 * <pre>
 * java -jar kelpie-demo.jar --port 8081 [--host 127.0.0.1] [--fork-child] [--ignore-term] [--unhealthy]
 *                           [--start-delay 2s] [--pidfile demo.pid]
 * curl -X POST localhost:8081/hang      # or /crash, /unhealthy, /healthy
 * </pre>
 */
public final class DemoService {

  private static final long STARTED = System.currentTimeMillis();
  private static final CountDownLatch NEVER = new CountDownLatch(1);

  private static volatile boolean hung;
  private static volatile boolean healthy = true;

  private DemoService() {
  }

  public static void main(String[] args) throws Exception {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("kelpie-demo: " + e.getMessage());
      System.err.println(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    healthy = !options.unhealthy();
    if (options.ignoreTerm()) {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sun.misc.SignalHandler.SIG_IGN);
    }
    if (options.forkChild()) {
      Process child = new ProcessBuilder("sleep", "100000").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      System.out.println("kelpie-demo forked child pid=" + child.pid());
    }
    if (options.pidfile() != null) {
      Files.writeString(options.pidfile(), ProcessHandle.current().pid() + "\n");
    }
    Thread.sleep(options.startDelayMillis());
    HttpServer server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", DemoService::handle);
    server.start();
    System.out.println("kelpie-demo listening on http://" + options.host() + ":" + server.getAddress().getPort()
      + " pid=" + ProcessHandle.current().pid());
  }

  private static void handle(HttpExchange exchange) throws IOException {
    if (hung) {
      awaitForever();
    }
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    switch (method + " " + path) {
      case "GET /health" -> respond(exchange, healthy ? 200 : 503,
        "{\"status\":\"" + (healthy ? "up" : "down") + "\",\"pid\":" + ProcessHandle.current().pid()
          + ",\"uptimeMs\":" + (System.currentTimeMillis() - STARTED) + "}", "application/json");
      case "GET /" -> respond(exchange, 200, "kelpie demo service, pid " + ProcessHandle.current().pid()
        + ". POST /hang, /crash, /unhealthy or /healthy to misbehave.\n", "text/plain");
      case "POST /hang" -> {
        respond(exchange, 202, "hanging: the port stays open, nothing answers any more\n", "text/plain");
        hung = true;
      }
      case "POST /crash" -> {
        respond(exchange, 202, "crashing with exit code 3\n", "text/plain");
        new Thread(() -> System.exit(3)).start();
      }
      case "POST /unhealthy" -> {
        healthy = false;
        respond(exchange, 200, "now unhealthy\n", "text/plain");
      }
      case "POST /healthy" -> {
        healthy = true;
        respond(exchange, 200, "now healthy\n", "text/plain");
      }
      default -> respond(exchange, 404, "no such endpoint\n", "text/plain");
    }
  }

  private static void awaitForever() {
    try {
      NEVER.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respond(HttpExchange exchange, int status, String body, String type) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The command line, checked. */
  record DemoOptions(String host, int port, boolean forkChild, boolean ignoreTerm, boolean unhealthy,
                     long startDelayMillis, Path pidfile) {

    static final String USAGE = "usage: java -jar kelpie-demo.jar --port N [--host H] [--fork-child] [--ignore-term]"
      + " [--unhealthy] [--start-delay 2s] [--pidfile FILE]";

    static DemoOptions parse(String[] args) {
      String host = "127.0.0.1";
      Integer port = null;
      boolean fork = false;
      boolean ignoreTerm = false;
      boolean unhealthy = false;
      long delay = 0;
      Path pidfile = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--host" -> host = value(args, ++i, "--host");
          case "--port" -> port = number(value(args, ++i, "--port"));
          case "--fork-child" -> fork = true;
          case "--ignore-term" -> ignoreTerm = true;
          case "--unhealthy" -> unhealthy = true;
          case "--start-delay" -> delay = millis(value(args, ++i, "--start-delay"));
          case "--pidfile" -> pidfile = Path.of(value(args, ++i, "--pidfile"));
          default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
        }
      }
      if (port == null) {
        throw new IllegalArgumentException("--port is required");
      }
      return new DemoOptions(host, port, fork, ignoreTerm, unhealthy, delay, pidfile);
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }

    private static int number(String text) {
      try {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65_535) {
          throw new IllegalArgumentException("--port must be between 0 and 65535, got " + text);
        }
        return port;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--port must be a number, got '" + text + "'");
      }
    }

    private static long millis(String text) {
      if (text.matches("\\d+ms")) {
        return Long.parseLong(text.substring(0, text.length() - 2));
      }
      if (text.matches("\\d+s")) {
        return Long.parseLong(text.substring(0, text.length() - 1)) * 1000;
      }
      throw new IllegalArgumentException("--start-delay expects a duration like 500ms or 2s, got '" + text + "'");
    }
  }
}
