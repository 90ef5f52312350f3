package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;

/** Up when a TCP connection opens within the connect timeout; closed at once. */
final class TcpProbe implements Probe {

  private final NetClient client;
  private final TcpTarget target;

  TcpProbe(TcpTarget target, ProbeTools tools) {
    this.client = tools.tcp();
    this.target = target;
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    return client.connect(new ConnectOptions()
        .setHost(target.host()).setPort(target.port()).setTimeout((int) target.connectTimeout().toMillis()))
      .compose(socket -> socket.close().map(Finding.up("connected to " + target.host() + ":" + target.port())))
      .otherwise(failure -> failure instanceof ConnectTimeoutException
        ? Finding.down("no connection within " + Durations.human(target.connectTimeout()))
        : Finding.down(failure.getMessage()));
  }
}
