package dev.kelpie.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A tiny service for Kelpie to watch, with no dependencies. It answers {@code GET /health}, and can be told to hang
 * (the port stays open and accepts connections, but nothing answers any more), to crash, or to turn unhealthy.
 *
 * <pre>
 * java -jar kelpie-demo.jar --port 8081 [--host 127.0.0.1] [--fork-child] [--ignore-term] [--unhealthy]
 *                           [--start-delay 2s] [--pidfile demo.pid]
 *                           [--kick-url http://127.0.0.1:9470/kick [--kick-every 500ms]]
 * curl -X POST localhost:8081/hang      # or /crash, /unhealthy, /healthy, /stall, /unstall
 * </pre>
 *
 * With {@code --kick-url} a worker thread, {@code demo-worker}, does a unit of work every {@code --kick-every} and
 * kicks Kelpie's heartbeat after each (token from {@code DEMO_KICK_TOKEN}); {@code /stall} makes that worker wait
 * forever, as a stuck main loop does, while HTTP keeps answering.
 */
public final class DemoService {

  private static final long STARTED = System.currentTimeMillis();
  private static final CountDownLatch NEVER = new CountDownLatch(1);

  private static volatile boolean hung;
  private static volatile boolean healthy = true;
  private static final Object STALL = new Object();
  private static boolean stalled;

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
      // an ignored signal stays ignored across fork and exec: the --fork-child child ignores TERM too
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
    if (options.kickUrl() != null) {
      Thread worker = new Thread(() -> work(options), "demo-worker");
      worker.setDaemon(true);
      worker.start();
    }
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
        + ". POST /hang, /crash, /unhealthy, /healthy, /stall or /unstall to misbehave.\n", "text/plain");
      case "POST /hang" -> {
        respond(exchange, 202, "hanging: the port stays open, nothing answers any more\n", "text/plain");
        hung = true;
      }
      case "POST /crash" -> {
        respond(exchange, 202, "crashing with exit code 3\n", "text/plain");
        new Thread(DemoService::crash, "crash").start();
      }
      case "POST /unhealthy" -> {
        healthy = false;
        respond(exchange, 200, "now unhealthy\n", "text/plain");
      }
      case "POST /stall" -> {
        synchronized (STALL) {
          stalled = true;
        }
        respond(exchange, 202, "stalling: demo-worker stops making progress (and kicking), HTTP keeps answering\n",
          "text/plain");
      }
      case "POST /unstall" -> {
        synchronized (STALL) {
          stalled = false;
          STALL.notifyAll();
        }
        respond(exchange, 200, "demo-worker goes on\n", "text/plain");
      }
      case "POST /healthy" -> {
        healthy = true;
        respond(exchange, 200, "now healthy\n", "text/plain");
      }
      default -> respond(exchange, 404, "no such endpoint\n", "text/plain");
    }
  }

  /** The loop that must make progress: it kicks after each unit of work, never from a timer of its own. */
  private static void work(DemoOptions options) {
    HttpClient kicks = HttpClient.newHttpClient();
    HttpRequest kick = HttpRequest.newBuilder(options.kickUrl())
      .header("Authorization", "Bearer " + System.getenv().getOrDefault("DEMO_KICK_TOKEN", ""))
      .POST(HttpRequest.BodyPublishers.noBody()).build();
    try {
      while (true) {
        waitWhileStalled();
        Thread.sleep(options.kickEveryMillis());   // one unit of work
        kicks.sendAsync(kick, HttpResponse.BodyHandlers.discarding());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitWhileStalled() throws InterruptedException {
    synchronized (STALL) {
      while (stalled) {
        STALL.wait();
      }
    }
  }

  private static void crash() {
    try {
      Thread.sleep(100); // lets the client read its 202 before the connection drops
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.exit(3);
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
}
