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
  private static final String DEFAULT_CONFIG = "config/agent.yaml";

  @Option(names = "--config", description = "the agent's YAML file (default: ${DEFAULT-VALUE})",
    defaultValue = DEFAULT_CONFIG)
  Path config;

  public static void main(String[] args) {
    quietNettyEvents();
    Path config = configOnly(args);
    int exit = config == null ? new CommandLine(new AgentMain()).execute(args) : run(config);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /**
   * The file of a command line that only names one ({@code --config FILE}, {@code --config=FILE}, or none: the
   * default), the way every agent is started, else null: help, version, an argument file and any mistake go through
   * picocli. Its ~170 classes are compiled for Java 5, which no class-data archive holds, so reading them cost every
   * start their loading, verification and about 1 MB of metaspace for one option.
   */
  static Path configOnly(String... args) {
    if (args.length == 0) {
      return Path.of(DEFAULT_CONFIG);
    }
    String file = args.length == 2 && args[0].equals("--config") ? args[1]
      : args.length == 1 && args[0].startsWith("--config=") ? args[0].substring("--config=".length()) : null;
    return file == null || file.isEmpty() || file.startsWith("-") || file.startsWith("@") ? null : Path.of(file);
  }

  /**
   * Netty announces its buffer allocations as Flight Recorder events wherever the JDK has a recorder, and its first
   * allocation then sets up the recorder's type library (100 classes, their compiled code, ~2.5 MB of the agent's
   * memory) although nothing records. {@code -Dio.netty.jfr.enabled=true} brings them back for a diagnosis.
   */
  private static void quietNettyEvents() {
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  /** What picocli does with a command line that only names the file: the agent's exit code, 1 on a failure. */
  private static int run(Path config) {
    AgentMain main = new AgentMain();
    main.config = config;
    try {
      return main.call();
    } catch (RuntimeException e) {
      e.printStackTrace();
      return 1;
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
