package dev.kelpie.agent.supervise.manager;

import dev.kelpie.agent.config.AgentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SocketAddress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A Docker container, through the {@code docker} command line: its main pid (in the host's pid namespace) and state
 * from {@code docker inspect}, start and stop, and {@code docker logs} for its output. Its changes are followed on the
 * Engine API's event stream ({@code GET /events}, filtered to the container) where the engine is a unix socket or a
 * tcp address, as {@code host}, else {@code DOCKER_HOST}, else {@code unix:///var/run/docker.sock} names it.
 */
final class Docker implements ServiceManager {

  private static final String FORMAT = "{{.State.Pid}}|{{.State.Status}}|{{.State.ExitCode}}";

  private static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  private final Vertx vertx;
  private final BoundedCommand commands;
  private final AgentConfig.Manager manager;
  private HttpClient events;

  Docker(Vertx vertx, BoundedCommand commands, AgentConfig.Manager manager) {
    this.vertx = vertx;
    this.commands = commands;
    this.manager = manager;
  }

  @Override
  public Optional<FollowedStream> follow(Consumer<String> changed) {
    String host = manager.host() != null ? manager.host()
      : System.getenv().getOrDefault("DOCKER_HOST", DEFAULT_HOST);
    SocketAddress engine;
    try {
      engine = EngineEvents.address(host);
    } catch (IllegalArgumentException e) {
      engine = null;
    }
    if (engine == null) {
      return Optional.empty();
    }
    if (events == null) {
      events = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
        .setConnectTimeout((int) manager.timeout().toMillis()));
    }
    SocketAddress at = engine;
    return Optional.of(new FollowedStream(vertx, "Docker's events about " + target()
      + (manager.host() == null ? " (engine at " + host + ")" : ""),
      notice -> EngineEvents.open(events, at, manager.name(), notice), changed).start());
  }

  @Override
  public Future<Void> close() {
    return events == null ? Future.succeededFuture() : events.close();
  }

  @Override
  public Future<ManagedState> state() {
    return commands.run(docker("inspect", "--type", "container", "--format", FORMAT)).map(outcome -> {
      if (!outcome.ok()) {
        throw failure("could not be inspected", outcome);
      }
      String[] fields = outcome.out().strip().split("\\|");
      if (fields.length != 3) {
        throw new ManagerException(ManagerException.Code.FAILED, target() + ": docker inspect said \""
          + outcome.out().strip() + "\"");
      }
      long pid = Long.parseLong(fields[0]);
      return new ManagedState(pid > 0 ? pid : null, fields[1], Integer.valueOf(fields[2]));
    });
  }

  @Override
  public Future<Void> start() {
    return act("start");
  }

  @Override
  public Future<Void> stop() {
    return act("stop");
  }

  @Override
  public Future<String> recentOutput() {
    return commands.run(docker("logs", "--tail", "20")).map(outcome -> outcome.ok() ? outcome.out() + outcome.err()
      : "");
  }

  @Override
  public Duration askEvery() {
    return Duration.ofSeconds(5);
  }

  @Override
  public String target() {
    return manager.target();
  }

  private Future<Void> act(String verb) {
    return commands.run(docker(verb)).map(outcome -> {
      if (!outcome.ok()) {
        throw failure("refused to " + verb, outcome);
      }
      return null;
    });
  }

  private List<String> docker(String verb, String... options) {
    List<String> command = new ArrayList<>(List.of("docker"));
    if (manager.host() != null) {
      command.addAll(List.of("--host", manager.host()));
    }
    command.add(verb);
    command.addAll(List.of(options));
    command.add(manager.name());
    return command;
  }

  private ManagerException failure(String what, BoundedCommand.Outcome outcome) {
    String said = outcome.said();
    String lower = said.toLowerCase(Locale.ROOT);
    ManagerException.Code code = lower.contains("cannot connect to the docker daemon")
      || lower.contains("is the docker daemon running") ? ManagerException.Code.UNREACHABLE
      : lower.contains("no such") || lower.contains("permission denied") ? ManagerException.Code.REFUSED
      : ManagerException.Code.FAILED;
    return new ManagerException(code, target() + " " + (code == ManagerException.Code.UNREACHABLE
      ? "is unreachable" : what) + ": " + (said.isEmpty() ? "docker exited with " + outcome.exit() : said));
  }
}
