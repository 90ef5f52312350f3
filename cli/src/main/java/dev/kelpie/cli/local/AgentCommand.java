package dev.kelpie.cli.local;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.supervise.ProcessTable;
import dev.kelpie.cli.KelpieCli;
import dev.kelpie.cli.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "agent", mixinStandardHelpOptions = true, description = "This host's agent, without the coordinator.",
  subcommands = AgentCommand.Status.class)
public final class AgentCommand {

  @Command(name = "status", mixinStandardHelpOptions = true,
    description = {"What this host's agent supervises, from its state folder: each service's process (alive or "
      + "not), uptime, whether a person wants it running, its log; and, when the agent serves metrics on a local "
      + "port, whether it is connected to the coordinator.", "Exit status 1 when a wanted service is not running."})
  public static final class Status implements Callable<Integer> {

    @Mixin
    LocalAgent agent;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.printf("agent state folder: %s%s%n", agent.stateDir(),
        agent.config().map(c -> " (agent " + c.agentId() + ", config " + agent.config + ")").orElse(""));
      Set<String> services = new LinkedHashSet<>();
      agent.config().ifPresent(c -> c.services().forEach(s -> services.add(s.name())));
      agent.recorded().forEach(r -> services.add(r.service()));
      Table table = new Table("SERVICE", "STATE", "PID", "UP FOR", "WANTED", "COMMAND", "LOG");
      boolean ok = true;
      for (String service : services) {
        Optional<LocalAgent.Recorded> record = agent.recorded(service);
        boolean alive = record.map(LocalAgent.Recorded::alive).orElse(false);
        boolean wanted = agent.wanted(service);
        ok &= alive || !wanted;
        Long pid = record.map(LocalAgent.Recorded::pid).orElse(null);
        String up = alive ? ProcessHandle.of(pid).flatMap(p -> p.info().startInstant())
          .map(start -> Table.span(Duration.between(start, Instant.now()))).orElse(null) : null;
        table.row(service, alive ? "running" : record.isPresent() ? "gone (pid record stale)" : "not running",
          pid, up, wanted ? "yes" : "no (stopped)", alive ? abbreviate(ProcessTable.commandLine(pid)) : null,
          agent.stateDir().resolve("logs").resolve(service + ".log"));
      }
      if (table.isEmpty()) {
        out.println("no service recorded in " + agent.stateDir() + " (is this the agent's state folder? --state-dir)");
      } else {
        table.print(out);
      }
      agent.config().map(AgentConfig::metrics).ifPresent(metrics -> out.println(uplink(metrics)));
      out.flush();
      return ok ? 0 : KelpieCli.FAILING;
    }

    /** The agent's own metrics say whether it runs and is connected. */
    private static String uplink(AgentConfig.Metrics metrics) {
      String host = metrics.host() == null || metrics.host().equals("0.0.0.0") ? "127.0.0.1" : metrics.host();
      URI uri = URI.create("http://" + host + ":" + metrics.port() + "/metrics");
      try {
        String text = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
          .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        return "agent running (metrics at " + uri + "): "
          + ("1.0".equals(gauge(text, "kelpie_agent_connected")) ? "connected to the coordinator"
            : "NOT connected to the coordinator") + ", reports waiting: " + gauge(text, "kelpie_agent_buffer_depth");
      } catch (IOException e) {
        return "agent not answering at " + uri + " (not running, or metrics elsewhere)";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }

    private static String gauge(String text, String name) {
      return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst().orElse("?");
    }

    private static String abbreviate(String command) {
      return command.length() <= 60 ? command : command.substring(0, 57) + "...";
    }
  }
}
