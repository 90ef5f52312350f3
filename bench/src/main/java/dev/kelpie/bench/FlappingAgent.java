package dev.kelpie.bench;

import dev.kelpie.agent.uplink.BridgeConnection;
import dev.kelpie.shared.bus.Addresses;
import dev.kelpie.shared.message.AgentHello;
import dev.kelpie.shared.message.CheckSpec;
import dev.kelpie.shared.message.CheckType;
import dev.kelpie.shared.message.Outcome;
import dev.kelpie.shared.message.ProbeResult;
import dev.kelpie.shared.message.Report;
import dev.kelpie.shared.message.ReportBatch;
import dev.kelpie.shared.policy.PolicySpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An agent on the wire with {@code checks} report-only checks (threshold 1, no restart), so that every result that
 * differs from the last one is one state change the dashboards must show: healthy to unhealthy or back.
 */
final class FlappingAgent {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final String id;
  private final int checks;
  private final boolean[] down;
  private BridgeConnection connection;
  private long seq;
  private int next;

  FlappingAgent(Vertx vertx, String id, int checks) {
    this.vertx = vertx;
    this.id = id;
    this.checks = checks;
    this.down = new boolean[checks];
  }

  static String checkId(int index) {
    return "check-" + index;
  }

  Future<Void> connect(WebSocketClient client, int port, String token) {
    PolicySpec d = PolicySpec.defaults();
    PolicySpec reportOnly = new PolicySpec(Duration.ofSeconds(10), Duration.ofSeconds(1), 1, null, 1, Duration.ZERO,
      false, Duration.ZERO, d.budget(), d.backoff(), false);
    List<CheckSpec> specs = new ArrayList<>();
    for (int i = 0; i < checks; i++) {
      specs.add(new CheckSpec(checkId(i), CheckType.TCP, null, "tcp 10.0.0.1:" + (8000 + i), reportOnly,
        Map.of("team", i % 2 == 0 ? "web" : "data")));
    }
    return client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/bus/websocket").addHeader("Authorization", "Bearer " + token))
      .compose(socket -> {
        connection = new BridgeConnection(vertx, socket, v -> { });
        return connection.request(Addresses.AGENT_HELLO, new AgentHello(id, id, "bench", specs, List.of()).toJson(),
          TIMEOUT);
      })
      .compose(reply -> {
        seq = reply.getLong("lastSeq");
        vertx.setPeriodic(2000, t -> connection.ping());
        List<Report> healthy = new ArrayList<>();
        for (int i = 0; i < checks; i++) {
          healthy.add(result(i, false));
        }
        return send(healthy);
      });
  }

  /** Flips the next check in turn: one state change. */
  Future<Void> flip() {
    int index = next;
    next = (next + 1) % checks;
    down[index] = !down[index];
    return send(List.of(result(index, down[index])));
  }

  /** Sets one check's state, e.g. the benchmark's marker; a change only when it differs from the last. */
  Future<Void> set(int index, boolean isDown) {
    down[index] = isDown;
    return send(List.of(result(index, isDown)));
  }

  private ProbeResult result(int index, boolean isDown) {
    return new ProbeResult(id, ++seq, checkId(index), Instant.now(), isDown ? Outcome.DOWN : Outcome.UP,
      Duration.ofMillis(isDown ? 1000 : 3), isDown ? "connection refused" : "connected");
  }

  private Future<Void> send(List<Report> reports) {
    return connection.request(Addresses.AGENT_REPORTS, new ReportBatch(id, Instant.now(), reports).toJson(), TIMEOUT)
      .mapEmpty();
  }
}
