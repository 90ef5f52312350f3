package dev.kelpie.agent.supervise.manager;

import dev.kelpie.agent.config.AgentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * A supervisord program, over supervisord's XML-RPC API: on its inet_http_server (a URL) or its unix_http_server (a
 * socket file), with Vert.x's HTTP client, so nothing blocks. Start and stop wait for supervisord to finish
 * ({@code wait=true}), within the configured timeout.
 */
final class Supervisord implements ServiceManager {

  private static final int BAD_NAME = 10;
  private static final int NO_FILE = 20;
  private static final int ALREADY_STARTED = 60;
  private static final int NOT_RUNNING = 70;
  private static final int OUTPUT_CHARS = 2_000;
  private static final List<String> HAS_PROCESS = List.of("STARTING", "RUNNING", "STOPPING");

  private final AgentConfig.Manager manager;
  private final HttpClient client;
  private final String authorization;

  Supervisord(Vertx vertx, AgentConfig.Manager manager) {
    this.manager = manager;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
      .setConnectTimeout((int) manager.timeout().toMillis()));
    this.authorization = manager.username() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
      (manager.username() + ":" + (manager.password() == null ? "" : manager.password()))
        .getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Future<ManagedState> state() {
    return call("supervisor.getProcessInfo", manager.name()).map(answer -> {
      Map<?, ?> info = (Map<?, ?>) answer;
      String state = String.valueOf(info.get("statename"));
      long pid = info.get("pid") instanceof Integer number ? number : 0;
      boolean running = pid > 0 && HAS_PROCESS.contains(state);
      Integer exit = !running && info.get("exitstatus") instanceof Integer number ? number : null;
      return new ManagedState(running ? pid : null, state, exit);
    });
  }

  @Override
  public Future<Void> start() {
    return act("supervisor.startProcess", ALREADY_STARTED);
  }

  @Override
  public Future<Void> stop() {
    return act("supervisor.stopProcess", NOT_RUNNING);
  }

  @Override
  public Future<String> recentOutput() {
    return call("supervisor.tailProcessStdoutLog", manager.name(), 0, OUTPUT_CHARS)
      .map(answer -> answer instanceof List<?> list && !list.isEmpty() ? String.valueOf(list.get(0)) : "")
      .otherwise("");
  }

  /**
   * supervisord tells of a program's changes only to an event listener it starts itself, which needs a section in its
   * own config; over XML-RPC there is nothing to subscribe to. So it is asked often: one small local call.
   */
  @Override
  public Duration askEvery() {
    return Duration.ofMillis(250);
  }

  @Override
  public String target() {
    return manager.target();
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  /** The call's answer; a fault supervisord answers with {@code fine} counts as done. */
  private Future<Void> act(String method, int fine) {
    return rpc(method, manager.name(), true).<Void>mapEmpty().recover(failure ->
      failure instanceof XmlRpc.Fault fault && fault.code == fine ? Future.succeededFuture()
        : Future.failedFuture(translated(failure, method)));
  }

  private Future<Object> call(String method, Object... params) {
    return rpc(method, params).recover(failure -> Future.failedFuture(translated(failure, method)));
  }

  private Future<Object> rpc(String method, Object... params) {
    String body = XmlRpc.call(method, params);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
      .setTimeout(manager.timeout().toMillis()).putHeader(HttpHeaders.CONTENT_TYPE, "text/xml");
    if (manager.url() != null) {
      options.setAbsoluteURI(manager.url().toString());
    } else {
      options.setServer(SocketAddress.domainSocketAddress(manager.socket().toString())).setHost("localhost")
        .setURI("/RPC2");
    }
    if (authorization != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
    return client.request(options)
      .compose(request -> request.send(Buffer.buffer(body, "UTF-8")))
      .compose(response -> response.body().map(answer -> answer(method, response, answer)))
      .recover(failure -> Future.failedFuture(unreachable(failure)));
  }

  private Object answer(String method, HttpClientResponse response, Buffer body) {
    if (response.statusCode() == 401) {
      throw new ManagerException(ManagerException.Code.REFUSED, target() + ": supervisord refused the "
        + (authorization == null ? "call without credentials (set username and password)" : "username and password"));
    }
    if (response.statusCode() != 200) {
      throw new ManagerException(ManagerException.Code.FAILED, target() + ": supervisord answered " + method
        + " with HTTP " + response.statusCode());
    }
    try {
      return XmlRpc.answer(body.toString(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ManagerException(ManagerException.Code.FAILED, target() + ": answer to " + method + " is "
        + e.getMessage());
    }
  }

  private Throwable translated(Throwable failure, String method) {
    if (!(failure instanceof XmlRpc.Fault fault)) {
      return failure;
    }
    ManagerException.Code code = fault.code == BAD_NAME ? ManagerException.Code.REFUSED : ManagerException.Code.FAILED;
    String words = fault.code == BAD_NAME ? "supervisord has no program " + manager.name()
      : fault.code == NO_FILE ? "supervisord keeps no output file for it" : "supervisord said " + fault.getMessage();
    return new ManagerException(code, target() + ": " + words + " (to " + method + ")");
  }

  private Throwable unreachable(Throwable failure) {
    if (failure instanceof ManagerException || failure instanceof XmlRpc.Fault) {
      return failure;
    }
    String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    boolean timedOut = failure instanceof TimeoutException
      || failure.getClass().getSimpleName().contains("Timeout");
    return new ManagerException(timedOut ? ManagerException.Code.TIMED_OUT : ManagerException.Code.UNREACHABLE,
      target() + " is unreachable: " + why);
  }
}
