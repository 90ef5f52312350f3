package dev.kelpie.agent.probe;

import dev.kelpie.shared.policy.Durations;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP health probe on a fresh connection every time (no pool, no keep-alive, no proxy), with connect and
 * response timeouts apart, so a wedged worker behind a port that still accepts connections is caught.
 */
final class HttpProbe implements Probe {

  private static final int MAX_BODY = 64 * 1024;
  private static final int MAX_JSON = 256 * 1024;

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

  /** Failed conditions come first, so the detail says "db: down (expected up)" rather than only "HTTP 503". */
  private Future<Finding> judge(HttpClientResponse response) {
    return response.body().map(body -> {
      List<String> failures = target.conditions().isEmpty() ? List.of() : failedConditions(body);
      String status = "HTTP " + response.statusCode();
      if (response.statusCode() != target.expectStatus()) {
        return Finding.down(withFailures(failures, status + ", expected " + target.expectStatus()));
      }
      if (target.expectBody() != null) {
        String text = body.length() > MAX_BODY ? body.getString(0, MAX_BODY) : body.toString();
        if (!text.contains(target.expectBody())) {
          return Finding.down(withFailures(failures, status + " without '" + target.expectBody() + "' in the body"));
        }
      }
      return failures.isEmpty() ? Finding.up(status) : Finding.down(withFailures(failures, status));
    });
  }

  private List<String> failedConditions(Buffer body) {
    if (body.length() > MAX_JSON) {
      return List.of("body over " + MAX_JSON / 1024 + " KiB, conditions not judged");
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      return List.of("body is not JSON, conditions not judged");
    }
    List<String> failures = new ArrayList<>();
    target.conditions().forEach(condition -> condition.failure(json).ifPresent(failures::add));
    return failures;
  }

  private static String withFailures(List<String> failures, String status) {
    return failures.isEmpty() ? status : String.join("; ", failures) + "; " + status;
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
