package dev.kelpie.agent.supervise.manager;

import dev.kelpie.agent.config.AgentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The host's own service manager (systemd, supervisord, Docker) acting for the agent on one service it owns. Every
 * call is bounded by the configured timeout and never blocks the caller's event loop; a failure is a
 * {@link ManagerException} saying whether the manager was unreachable, refused, or failed.
 */
public interface ServiceManager {

  /** The service's main pid and the manager's own word on its state. */
  Future<ManagedState> state();

  /** Starts the service, done once the manager says it runs (or failed to). Starting a running one is no error. */
  Future<Void> start();

  /** Stops the service and returns once the manager says it is down. Stopping a stopped one is no error. */
  Future<Void> stop();

  /** The last lines the service wrote, as the manager keeps them (evidence before a stop); empty when none. */
  Future<String> recentOutput();

  /** How often the manager's state is worth asking; the main pid is watched more often in between. */
  Duration askEvery();

  /**
   * Follows the manager's own notices of the service's changes, each given to {@code changed} on the caller's context:
   * a stream kept open (opened again with backoff when it drops). Empty when this manager has none here, and polling
   * is all there is.
   */
  default Optional<FollowedStream> follow(Consumer<String> changed) {
    return Optional.empty();
  }

  /** What it manages, as people say it: "systemd unit api.service". */
  String target();

  /** Closes what the manager holds (connections); the service keeps running. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  static ServiceManager of(Vertx vertx, WorkerExecutor workers, AgentConfig.Manager manager) {
    return switch (manager.type()) {
      case SYSTEMD -> new Systemd(vertx, new BoundedCommand(workers, manager.timeout()), manager);
      case SUPERVISORD -> new Supervisord(vertx, manager);
      case DOCKER -> new Docker(vertx, new BoundedCommand(workers, manager.timeout()), manager);
      case KELPIE -> throw new IllegalArgumentException("the agent itself manages " + manager);
    };
  }
}
