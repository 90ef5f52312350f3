package dev.kelpie.cli.local;

import dev.kelpie.agent.supervise.ProcessTable;
import dev.kelpie.cli.KelpieCli;
import dev.kelpie.cli.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "who-holds", mixinStandardHelpOptions = true,
  description = {"Who listens on a TCP port of this host (IPv4 or IPv6, any address): pid, command line, uptime, and "
    + "the supervised service it belongs to, if any. Reads /proc: run it as root (or the agent's user) to see other "
    + "users' processes.", "Exit status 1 when nothing listens there."})
public final class WhoHoldsCommand implements Callable<Integer> {

  @Mixin
  LocalAgent agent;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<port>", description = "a TCP port, 1 to 65535")
  int port;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (port < 1 || port > 65_535) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a port is 1 to 65535, got " + port);
    }
    Optional<Long> holder = ProcessTable.listener(port);
    if (holder.isEmpty()) {
      out.println(ProcessTable.listening(port)
        ? "port " + port + " is listened on, by a process this user may not look into (try as root)"
        : "nothing listens on port " + port);
      out.flush();
      return KelpieCli.FAILING;
    }
    long pid = holder.get();
    out.printf("port %d is held by pid %d: %s%n", port, pid, ProcessTable.commandLine(pid));
    ProcessHandle.of(pid).flatMap(p -> p.info().startInstant()).ifPresent(start ->
      out.printf("  up for %s (since %s)%n", Table.span(Duration.between(start, Instant.now())), start));
    out.println(agent.owner(pid)
      .map(r -> "  supervised by Kelpie: service " + r.service() + " (its process " + r.pid() + ", agent state in "
        + agent.stateDir() + ")")
      .orElse("  not supervised by Kelpie (no pid record in " + agent.stateDir() + " names it)"));
    out.flush();
    return 0;
  }
}
