package dev.kelpie.agent.probe;

import dev.kelpie.shared.config.ConfigNode;

import java.util.List;
import java.time.Duration;

/** The target of a tcp check: a port that must accept a connection. */
public record TcpTarget(String host, int port, Duration connectTimeout) implements ProbeTarget {

  static final List<String> KEYS = List.of("host", "port", "connectTimeout");

  @Override
  public String describe() {
    return "tcp " + host + ":" + port;
  }

  static TcpTarget read(ConfigNode node, ProbeKind.CheckBasics check) {
    String host = node.optionalString("host", "127.0.0.1");
    Integer port = node.optionalInt("port", null, 1, 65_535);
    if (!node.has("port")) {
      node.problem("port", "missing; expected the TCP port to connect to (1 to 65535)");
    }
    return new TcpTarget(host, port == null ? 0 : port,
      node.optionalDuration("connectTimeout", HttpTarget.CONNECT_TIMEOUT));
  }
}
