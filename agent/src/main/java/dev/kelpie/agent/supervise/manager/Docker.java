package dev.kelpie.agent.supervise.manager;

import dev.kelpie.agent.config.AgentConfig;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Docker container, through the {@code docker} command line: its main pid (in the host's pid namespace) and state
 * from {@code docker inspect}, start and stop, and {@code docker logs} for its output.
 */
final class Docker implements ServiceManager {

  private static final String FORMAT = "{{.State.Pid}}|{{.State.Status}}|{{.State.ExitCode}}";

  private final BoundedCommand commands;
  private final AgentConfig.Manager manager;

  Docker(BoundedCommand commands, AgentConfig.Manager manager) {
    this.commands = commands;
    this.manager = manager;
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
