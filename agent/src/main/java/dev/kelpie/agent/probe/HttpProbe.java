package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.TimeoutException;

/**
 * An HTTP health probe on a fresh connection every time (no pool, no keep-alive, no proxy), with connect and
 * response timeouts apart, so a wedged worker behind a port that still accepts connections is caught.
 */
final class HttpProbe implements Probe {

  private static final int MAX_BODY = 64 * 1024;

  private final HttpClient client;
  private final HttpTarget target;

  HttpProbe(HttpTarget target, ProbeTools tools) {
    this.client = tools.http();
    this.target = target;
  }

  @Override
  public Future<Finding> run(Cancellation cancellation) {
    RequestOptions options = new RequestOptions()
      .setAbsoluteURI(target.url().toString())
      .setMethod(HttpMethod.valueOf(target.method()))
      .setConnectTimeout(target.connectTimeout().toMillis())
      .setIdleTimeout(target.responseTimeout().toMillis())
      .putHeader("Connection", "close")
      .putHeader("User-Agent", "kelpie-agent");
    return client.request(options)
      .compose(request -> send(request, cancellation))
      .compose(this::judge)
      .otherwise(this::explain);
  }

  private static Future<HttpClientResponse> send(HttpClientRequest request, Cancellation cancellation) {
    cancellation.onCancel(() -> request.reset());
    return request.send();
  }

  private Future<Finding> judge(HttpClientResponse response) {
    return response.body().map(body -> {
      if (response.statusCode() != target.expectStatus()) {
        return Finding.down("HTTP " + response.statusCode() + ", expected " + target.expectStatus());
      }
      if (target.expectBody() != null) {
        String text = body.length() > MAX_BODY ? body.getString(0, MAX_BODY) : body.toString();
        if (!text.contains(target.expectBody())) {
          return Finding.down("HTTP " + response.statusCode() + " without '" + target.expectBody() + "' in the body");
        }
      }
      return Finding.up("HTTP " + response.statusCode());
    });
  }

  private Finding explain(Throwable failure) {
    if (failure instanceof ConnectTimeoutException) {
      return Finding.down("no connection within " + Durations.human(target.connectTimeout()));
    }
    if (failure instanceof TimeoutException) {
      return Finding.down("no answer within " + Durations.human(target.responseTimeout()));
    }
    return Finding.down(failure.getClass().getSimpleName() + ": " + failure.getMessage());
  }
}
