package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.config.TlsSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The port's certificate from {@code tls.cert} and {@code tls.key} (PEM), and the agents' CA when there is one. Every
 * {@code tls.reloadCheck} the files' times and sizes are looked at (asynchronously); when they change, their contents
 * are read and handed to the running server ({@code updateSSLOptions}): new connections get the new certificate, open
 * ones keep theirs, nothing restarts. A pair that does not load (a key not yet written beside its new certificate) is
 * logged and the old one kept, and tried again at the next change.
 */
final class ServerCertificate {

  private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);

  private final Vertx vertx;
  private final TlsSettings tls;
  private List<String> stamp = List.of();

  ServerCertificate(Vertx vertx, TlsSettings tls) {
    this.vertx = vertx;
    this.tls = tls;
  }

  Future<Void> configure(HttpServerOptions options) {
    if (!tls.enabled()) {
      return Future.succeededFuture();
    }
    return stamp().compose(current -> sslOptions().map(ssl -> {
      stamp = current;
      options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions()).setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth());
      return null;
    }));
  }

  void watch(HttpServer server) {
    if (!tls.enabled()) {
      return;
    }
    vertx.setPeriodic(tls.reloadCheck().toMillis(), id -> stamp().onSuccess(current -> {
      if (current.equals(stamp)) {
        return;
      }
      stamp = current;
      sslOptions().compose(ssl -> server.updateSSLOptions(ssl, true))
        .onSuccess(updated -> log.atInfo().addKeyValue("cert", tls.cert()).log("TLS certificate reloaded"))
        .onFailure(failure -> log.atWarn().addKeyValue("cert", tls.cert())
          .log("TLS certificate changed but does not load ({}); keeping the previous one", failure.getMessage()));
    }));
  }

  private Future<ServerSSLOptions> sslOptions() {
    Future<Buffer> cert = vertx.fileSystem().readFile(tls.cert().toString());
    Future<Buffer> key = vertx.fileSystem().readFile(tls.key().toString());
    Future<Buffer> ca = tls.agentCa() == null ? Future.succeededFuture()
      : vertx.fileSystem().readFile(tls.agentCa().toString());
    return Future.all(cert, key, ca).map(read -> {
      ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(cert.result()).setKeyValue(key.result()));
      if (ca.result() != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertValue(ca.result())).setClientAuth(ClientAuth.REQUEST);
      }
      return ssl;
    });
  }

  /** Modification time and size of each file, read without blocking. */
  private Future<List<String>> stamp() {
    List<Future<String>> each = new ArrayList<>();
    for (Path file : new Path[]{tls.cert(), tls.key(), tls.agentCa()}) {
      if (file != null) {
        each.add(vertx.fileSystem().props(file.toString())
          .map(props -> props.lastModifiedTime() + "/" + props.size())
          .otherwise(failure -> "missing"));
      }
    }
    return Future.all(each).map(all -> each.stream().map(Future::result).filter(Objects::nonNull).toList());
  }
}
