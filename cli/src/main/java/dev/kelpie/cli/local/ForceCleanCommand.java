package dev.kelpie.cli.local;

import dev.kelpie.agent.config.AgentConfig;
import dev.kelpie.agent.supervise.ProcessTable;
import dev.kelpie.cli.KelpieCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "force-clean", mixinStandardHelpOptions = true,
  description = {"Kills every leftover of a service on this host, without the agent or the coordinator: the process "
    + "of its pid record in the agent's state folder with its tree and whole session, the process of its pidfile, and "
    + "whoever holds its port, stranger or not; SIGTERM (and SIGCONT), then SIGKILL after --grace. Then waits for the "
    + "port to be free, removes the pid record and tells what it killed.",
    "A running agent starts a wanted service again: kelpie stop <host>/<service> first to keep it down.",
    "Exit status 4 when something survived SIGKILL or the port stayed taken."})
public final class ForceCleanCommand implements Callable<Integer> {

  @Mixin
  LocalAgent agent;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<service>", description = "a service of the agent's config (or with a pid record)")
  String service;

  @Option(names = "--port", paramLabel = "PORT", description = "its port, when the config does not say")
  Integer port;

  @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "5",
    description = "how long SIGTERM has before SIGKILL (default: ${DEFAULT-VALUE})")
  int graceSeconds;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Optional<AgentConfig.ServiceSpec> config = agent.service(service);
    Integer servicePort = port != null ? port : config.map(AgentConfig.ServiceSpec::port).orElse(null);
    Leftovers leftovers = new Leftovers();
    agent.recorded(service).ifPresent(record -> leftovers.recorded(record.pid(), service));
    config.map(AgentConfig.ServiceSpec::adopt).map(AgentConfig.Adopt::pidfile)
      .ifPresent(pidfile -> leftovers.pidfile(pidfile, service));
    if (servicePort != null) {
      leftovers.port(servicePort, service);
    }
    boolean allGone = kill(leftovers, out);
    for (int round = 0; servicePort != null && round < 3 && leftovers.port(servicePort, service); round++) {
      allGone &= kill(leftovers, out);   // someone took the port meanwhile
    }
    if (leftovers.found().isEmpty()) {
      out.printf("nothing left of %s: no live process in %s%s%n", service, agent.pidRecord(service),
        servicePort == null ? "" : ", nothing on port " + servicePort);
    }
    boolean portFree = servicePort == null || awaitPortFree(servicePort, Duration.ofSeconds(5));
    if (servicePort != null) {
      out.println(portFree ? "port " + servicePort + " is free" : "port " + servicePort + " is STILL TAKEN");
    }
    if (Files.deleteIfExists(agent.pidRecord(service))) {
      out.println("removed the pid record " + agent.pidRecord(service));
    }
    if (config.isEmpty() && servicePort == null) {
      out.println("(no config names " + service + ": give --config or --port to free its port too)");
    }
    out.flush();
    return allGone && portFree ? 0 : KelpieCli.SURVIVED;
  }

  /** Kills what was found and not killed yet; tells each; whether all are gone. */
  private boolean kill(Leftovers leftovers, PrintWriter out) throws IOException, InterruptedException {
    List<Leftovers.Leftover> targets = new ArrayList<>();
    leftovers.found().values().stream().filter(l -> l.process().isAlive()).forEach(targets::add);
    if (targets.isEmpty()) {
      return true;
    }
    targets.forEach(l -> l.process().destroy());
    List<String> pids = targets.stream().map(l -> Long.toString(l.process().pid())).toList();
    List<String> cont = new ArrayList<>(List.of("kill", "-CONT"));
    cont.addAll(pids);
    new ProcessBuilder(cont).redirectErrorStream(true).start().waitFor();
    awaitGone(targets, Duration.ofSeconds(graceSeconds));
    List<Leftovers.Leftover> stubborn = targets.stream().filter(l -> l.process().isAlive()).toList();
    stubborn.forEach(l -> l.process().destroyForcibly());
    awaitGone(stubborn, Duration.ofSeconds(5));
    boolean allGone = true;
    for (Leftovers.Leftover l : targets) {
      String how = l.process().isAlive() ? "SURVIVED SIGKILL" : stubborn.contains(l)
        ? "killed (SIGKILL after " + graceSeconds + " s)" : "killed (SIGTERM)";
      allGone &= !l.process().isAlive();
      out.printf("%s pid %d: %s; %s%n", how, l.process().pid(), l.command().isEmpty() ? "?" : l.command(), l.why());
    }
    out.flush();
    return allGone;
  }

  private static void awaitGone(List<Leftovers.Leftover> targets, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (targets.stream().anyMatch(l -> l.process().isAlive()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private static boolean awaitPortFree(int port, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (ProcessTable.listening(port)) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
