package dev.kelpie.agent.uplink;

import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.nio.file.Path;

/**
 * The uplink's TLS for a {@code wss://} coordinator: whom to trust ({@code ca}, PEM; null: the JVM's trust store) and,
 * for mutual TLS, this agent's certificate and key (PEM). The coordinator's name is always checked against its
 * certificate. Files are read when the agent starts.
 */
public record UplinkTls(Path ca, Path cert, Path key) {

  public static final UplinkTls NONE = new UplinkTls(null, null, null);

  WebSocketClientOptions apply(WebSocketClientOptions options) {
    options.setVerifyHost(true);
    if (ca != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()));
    }
    if (cert != null && key != null) {
      options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString()));
    }
    return options;
  }
}
