package dev.kelpie.agent.uplink;

import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.HelloReply;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportAck;
import dev.kelpie.shared.message.ReportBatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A coordinator's bridge end, no more: answers a hello with the last sequence it holds, acknowledges every report batch
 * (keeping what it was sent, frame by frame, with when it came), keeps keepalives, and can drop the connection. Runs
 * on its own Vert.x, so the agent's event loop and the coordinator's are two, as in the field.
 */
final class FakeCoordinator implements AutoCloseable {

  /** One report frame as it arrived. */
  record Frame(long arrivedNanos, ReportBatch batch) {

    List<Long> seqs() {
      return batch.reports().stream().map(Report::seq).toList();
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<Frame> frames = new CopyOnWriteArrayList<>();
  private final List<JsonObject> keepalives = new CopyOnWriteArrayList<>();
  private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
  private volatile long lastSeq;
  private volatile boolean holdAcks;
  /** The batch window advised in every answer, in ms; 0: none (the field absent, as from older coordinators). */
  private volatile long advisedMillis;
  private final HttpServer server;
  private final boolean takesVitals;

  FakeCoordinator() {
    this(false);
  }

  /** {@code takesVitals}: its hello's reply says it takes vitals riding report batches, as coordinators now do. */
  FakeCoordinator(boolean takesVitals) {
    this.takesVitals = takesVitals;
    server = vertx.createHttpServer().webSocketHandler(this::accept).listen(0, "127.0.0.1").await();
  }

  URI url() {
    return URI.create("ws://127.0.0.1:" + server.actualPort() + "/bus");
  }

  List<Frame> frames() {
    return List.copyOf(frames);
  }

  List<JsonObject> keepalives() {
    return List.copyOf(keepalives);
  }

  /** Every report stored, in the order they came. */
  List<Report> reports() {
    List<Report> all = new ArrayList<>();
    frames.forEach(frame -> all.addAll(frame.batch().reports()));
    return all;
  }

  int connections() {
    return sockets.size();
  }

  /** {@code true}: batches are stored but not acknowledged, as when acknowledgements are lost on the way. */
  void holdAcks(boolean hold) {
    holdAcks = hold;
  }

  /** Advises this batch window (ms) in every answer from now on; 0: none, the field left out. */
  void advise(long millis) {
    advisedMillis = millis;
  }

  /** Drops every open connection, as a restarted coordinator or a broken link would. */
  void dropConnections() {
    vertx.runOnContext(v -> sockets.forEach(ServerWebSocket::close));
  }

  /** Waits (off any event loop) until {@code condition} holds of the frames received; fails after 10 s. */
  List<Frame> await(Predicate<List<Frame>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.test(frames())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the coordinator never got what was expected; it got " + frames().stream()
          .map(Frame::seqs).toList());
      }
      Thread.sleep(5);
    }
    return frames();
  }

  private void accept(ServerWebSocket socket) {
    sockets.add(socket);
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if (!"send".equals(frame.getString("type"))) {
        return;
      }
      String address = frame.getString("address");
      JsonObject body = frame.getJsonObject("body");
      String replyAddress = frame.getString("replyAddress");
      if (Addresses.AGENT_HELLO.equals(address)) {
        reply(socket, replyAddress, new HelloReply(1, lastSeq, Map.of(), takesVitals, advisedMillis)
          .toJson());
      } else if (Addresses.AGENT_REPORTS.equals(address)) {
        ReportBatch batch = ReportBatch.fromJson(body);
        frames.add(new Frame(System.nanoTime(), batch));
        batch.reports().forEach(report -> lastSeq = Math.max(lastSeq, report.seq()));
        if (!holdAcks) {
          reply(socket, replyAddress, new ReportAck(lastSeq).advising(advisedMillis).toJson());
        }
      } else if (Addresses.AGENT_KEEPALIVE.equals(address)) {
        keepalives.add(body);
      }
    });
  }

  private static void reply(ServerWebSocket socket, String replyAddress, JsonObject body) {
    socket.writeTextMessage(new JsonObject().put("type", "rec").put("address", replyAddress).put("body", body)
      .encode());
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
