package dev.kelpie.agent.supervise.manager;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Docker's own change notices: {@code GET /events} on the Engine API, filtered to one container, read as it streams
 * (one JSON object a line). Each container event becomes a notice such as "die (exitCode 137)"; the stream has no
 * time bound (it is quiet while nothing happens) but a connect timeout, and closing it resets the request.
 */
final class EngineEvents implements NoticeStream {

  private final Promise<Void> ended = Promise.promise();
  private HttpClientRequest request;
  private boolean closed;
  private Buffer pending = Buffer.buffer();

  private EngineEvents() {
  }

  /**
   * Where the Engine API listens, from a Docker host as the CLI takes it ({@code unix:///var/run/docker.sock},
   * {@code tcp://10.0.0.5:2375}); null when it cannot be reached from here without the CLI (ssh://).
   */
  static SocketAddress address(String host) {
    URI uri = URI.create(host);
    return switch (uri.getScheme() == null ? "" : uri.getScheme()) {
      case "unix" -> SocketAddress.domainSocketAddress(uri.getPath());
      case "tcp", "http" -> SocketAddress.inetSocketAddress(uri.getPort() < 0 ? 2375 : uri.getPort(), uri.getHost());
      default -> null;
    };
  }

  static NoticeStream open(HttpClient client, SocketAddress engine, String container, Consumer<String> onNotice) {
    EngineEvents stream = new EngineEvents();
    String filters = new JsonObject().put("type", new JsonArray().add("container"))
      .put("container", new JsonArray().add(container)).encode();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setServer(engine)
      .setHost(engine.isInetSocket() ? engine.host() : "localhost").setPort(engine.isInetSocket() ? engine.port() : 80)
      .setURI("/events?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8));
    client.request(options)
      .compose(request -> {
        stream.request = request;
        if (stream.closed) {
          request.reset();
        }
        return request.send();
      })
      .onSuccess(response -> {
        if (response.statusCode() != 200) {
          response.body().onComplete(body -> stream.ended.tryFail("the Docker engine answered HTTP "
            + response.statusCode() + (body.succeeded() ? ": " + body.result().toString().strip() : "")));
          return;
        }
        response.handler(chunk -> stream.take(chunk, onNotice));
        response.exceptionHandler(failure -> stream.ended.tryFail(failure.getMessage()));
        response.endHandler(v -> stream.ended.tryComplete());
      })
      .onFailure(failure -> stream.ended.tryFail("cannot reach the Docker engine at " + engine + ": "
        + failure.getMessage()));
    return stream;
  }

  /** The notice one event line makes: its action, with the exit code for a death; null for what is not one. */
  static String notice(String line) {
    JsonObject event;
    try {
      event = new JsonObject(line);
    } catch (DecodeException e) {
      return null;
    }
    String action = event.getString("Action", event.getString("status"));
    if (action == null || !"container".equals(event.getString("Type", "container"))) {
      return null;
    }
    JsonObject actor = event.getJsonObject("Actor", new JsonObject());
    String exit = actor.getJsonObject("Attributes", new JsonObject()).getString("exitCode");
    return exit == null ? action : action + " (exitCode " + exit + ")";
  }

  @Override
  public Future<Void> ended() {
    return ended.future();
  }

  @Override
  public void close() {
    closed = true;
    if (request != null) {
      request.reset();
    }
    ended.tryComplete();
  }

  private void take(Buffer chunk, Consumer<String> onNotice) {
    pending.appendBuffer(chunk);
    int end = pending.length() - 1;
    while (end >= 0 && pending.getByte(end) != '\n') {
      end--;
    }
    if (end < 0) {
      return;
    }
    String lines = pending.getString(0, end, "UTF-8");
    pending = pending.getBuffer(end + 1, pending.length());
    lines.lines().map(String::strip).filter(line -> !line.isEmpty()).map(EngineEvents::notice)
      .filter(notice -> notice != null && !closed).forEach(onNotice);
  }
}
