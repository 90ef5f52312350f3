package dev.kelpie.agent;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.shared.config.ConfigException;
import dev.kelpie.shared.program.ProgramLifecycle;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code java -jar kelpie-agent.jar --config config/agent.yaml} */
@Command(name = "kelpie-agent", mixinStandardHelpOptions = true, version = "kelpie-agent " + Agent.VERSION,
  description = "Probes and supervises the services of this host, and reports to the Kelpie coordinator.")
public final class AgentMain implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

  @Option(names = "--config", description = "the agent's YAML file (default: ${DEFAULT-VALUE})",
    defaultValue = "config/agent.yaml")
  Path config;

  public static void main(String[] args) {
    int exit = new CommandLine(new AgentMain()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public Integer call() {
    AgentConfig loaded;
    try {
      loaded = AgentConfig.load(config, System.getenv());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    Vertx vertx = Vertx.vertx(AgentThreads.options(loaded));
    Agent.deploy(vertx, loaded, hostName(), Clock.systemUTC())
      .onSuccess(agent -> {
        // which transport the sockets got: Netty's epoll where its library loads, else the JDK's (AgentThreads)
        log.atInfo().addKeyValue("agent", loaded.agentId())
          .addKeyValue("transport", vertx.isNativeTransportEnabled() ? "epoll" : "nio").log("agent started");
        // the services keep running; the agent waits a bounded time for its own verticles to stop
        Runtime.getRuntime().addShutdownHook(new Thread(() -> agent.undeploy().timeout(10, TimeUnit.SECONDS)
          .eventually(vertx::close).timeout(15, TimeUnit.SECONDS).otherwiseEmpty().await(), "kelpie-shutdown"));
      })
      .onFailure(failure -> {
        if (ProgramLifecycle.bindFailure(failure) && loaded.metrics() != null) {
          log.error("agent failed to start: cannot listen on {}:{} (metrics): address already in use",
            loaded.metrics().host(), loaded.metrics().port());
        } else {
          log.error("agent failed to start: {}", failure.getMessage(), failure);
        }
        vertx.close().onComplete(closed -> System.exit(1));
      });
    ProgramLifecycle.stopOnSignals(log);
    return 0;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }
}
