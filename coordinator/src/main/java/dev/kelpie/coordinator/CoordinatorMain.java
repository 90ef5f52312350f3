package dev.kelpie.coordinator;

import dev.kelpie.coordinator.config.CoordinatorConfig;
import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.program.ProgramLifecycle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

/** {@code java -jar kelpie-coordinator.jar --config config/coordinator.yaml} */
@Command(name = "kelpie-coordinator", mixinStandardHelpOptions = true, version = "kelpie-coordinator 0.1.0",
  subcommands = HashPassword.class,
  description = "Decides, for the whole fleet, when a service is dead or wedged, and tells its agent what to do.")
public final class CoordinatorMain implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorMain.class);

  @Option(names = "--config", description = "the coordinator's YAML file (default: ${DEFAULT-VALUE})",
    defaultValue = "config/coordinator.yaml")
  Path config;

  public static void main(String[] args) {
    int exit = new CommandLine(new CoordinatorMain()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public Integer call() {
    CoordinatorConfig loaded;
    try {
      loaded = CoordinatorConfig.load(config, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    PrometheusMeterRegistry registry = Coordinator.newRegistry();
    Vertx vertx;
    try {
      vertx = Coordinator.newVertx(registry, loaded.cluster()).await();
    } catch (RuntimeException e) {
      log.error("coordinator failed to start: cannot join cluster {} on {}:{}: {}", loaded.cluster().name(),
        loaded.cluster().host(), loaded.cluster().port(), e.getMessage(), e);
      return 1;
    }
    Coordinator.deploy(vertx, loaded, Clock.systemUTC(), registry)
      .onSuccess(coordinator -> log.atInfo()
        .addKeyValue("transport", vertx.isNativeTransportEnabled() ? "epoll" : "nio")
        .log("coordinator started, epoch {}", coordinator.epoch()))
      .onFailure(failure -> {
        if (ProgramLifecycle.bindFailure(failure)) {
          log.error("coordinator failed to start: cannot listen on {}:{}: address already in use",
            loaded.http().host(), loaded.http().port());
        } else {
          log.error("coordinator failed to start: {}", failure.getMessage(), failure);
        }
        vertx.close().onComplete(closed -> System.exit(1));
      });
    ProgramLifecycle.stopOnSignals(log);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "kelpie-shutdown"));
    return 0;
  }
}
