package dev.kelpie.agent.probe;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.policy.Durations;
import io.vertx.core.Future;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.net.NetClient;

/** Up when a TCP connection opens within the connect timeout; closed at once. */
final class TcpProbe implements Probe {

  private final NetClient client;
  private final AgentConfig.Tcp target;

  TcpProbe(NetClient client, AgentConfig.Tcp target) {
    this.client = client;
    this.target = target;
  }

  @Override
  public Future<Finding> run() {
    return client.connect(new io.vertx.core.net.ConnectOptions()
        .setHost(target.host()).setPort(target.port()).setTimeout((int) target.connectTimeout().toMillis()))
      .compose(socket -> socket.close().map(Finding.up("connected to " + target.host() + ":" + target.port())))
      .otherwise(failure -> failure instanceof ConnectTimeoutException
        ? Finding.down("no connection within " + Durations.human(target.connectTimeout()))
        : Finding.down(failure.getMessage()));
  }
}
