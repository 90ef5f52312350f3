package dev.kelpie.agent.supervise.manager;

import dev.kelpie.agent.config.AgentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A systemd unit, through {@code systemctl} (and {@code journalctl} for its output): its main pid and state from
 * {@code systemctl show}, start and stop as jobs systemctl waits for. {@code --no-ask-password}, so a missing
 * permission is a refusal rather than a prompt. Its changes are followed in the journal: systemd's own messages about
 * the unit ({@code journalctl --follow _PID=1 UNIT=...}), each a prompt to ask again. Not D-Bus's PropertiesChanged
 * ({@code busctl}/{@code gdbus monitor}): systemd sends those only while some client is subscribed, and a subscription
 * lasts only as long as the bus connection of the one who asked, which a command line cannot keep.
 */
final class Systemd implements ServiceManager {

  private final Vertx vertx;
  private final BoundedCommand commands;
  private final AgentConfig.Manager manager;

  Systemd(Vertx vertx, BoundedCommand commands, AgentConfig.Manager manager) {
    this.vertx = vertx;
    this.commands = commands;
    this.manager = manager;
  }

  @Override
  public Optional<FollowedStream> follow(Consumer<String> changed) {
    List<String> command = journalFollower(manager);
    return Optional.of(new FollowedStream(vertx, "systemd's journal about " + target(),
      notice -> ProcessLines.open(vertx, command, line -> !line.isBlank(), notice), changed).start());
  }

  /** systemd's own journal messages about the unit, from now on, one a line. */
  static List<String> journalFollower(AgentConfig.Manager manager) {
    return manager.user()
      ? List.of("journalctl", "--user", "--follow", "--lines=0", "--output=cat", "USER_UNIT=" + manager.name())
      : List.of("journalctl", "--follow", "--lines=0", "--output=cat", "_PID=1", "UNIT=" + manager.name());
  }

  @Override
  public Future<ManagedState> state() {
    return commands.run(systemctl("show", "--property=LoadState,ActiveState,SubState,MainPID,ExecMainStatus"))
      .map(outcome -> {
        if (!outcome.ok()) {
          throw failure("could not be asked", outcome);
        }
        Map<String, String> properties = new HashMap<>();
        outcome.out().lines().map(line -> line.split("=", 2)).filter(pair -> pair.length == 2)
          .forEach(pair -> properties.put(pair[0], pair[1]));
        if ("not-found".equals(properties.get("LoadState"))) {
          throw new ManagerException(ManagerException.Code.REFUSED, target() + ": systemd has no unit "
            + manager.name());
        }
        long pid = parse(properties.get("MainPID"), 0);
        String state = properties.getOrDefault("ActiveState", "unknown") + " ("
          + properties.getOrDefault("SubState", "unknown") + ")";
        String status = properties.get("ExecMainStatus");
        Integer exit = status == null ? null : (int) parse(status, 0);
        return new ManagedState(pid > 0 ? pid : null, state, exit);
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
    List<String> command = new ArrayList<>(List.of("journalctl"));
    if (manager.user()) {
      command.add("--user");
    }
    command.addAll(List.of("--unit", manager.name(), "--lines", "20", "--no-pager", "--output", "cat"));
    return commands.run(command).map(outcome -> outcome.ok() ? outcome.out() : "");
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
    return commands.run(systemctl(verb)).map(outcome -> {
      if (!outcome.ok()) {
        throw failure("refused to " + verb, outcome);
      }
      return null;
    });
  }

  private List<String> systemctl(String verb, String... options) {
    List<String> command = new ArrayList<>(List.of("systemctl", "--no-ask-password"));
    if (manager.user()) {
      command.add("--user");
    }
    command.add(verb);
    command.addAll(List.of(options));
    command.add("--");
    command.add(manager.name());
    return command;
  }

  private ManagerException failure(String what, BoundedCommand.Outcome outcome) {
    String said = outcome.said();
    String lower = said.toLowerCase(Locale.ROOT);
    ManagerException.Code code = lower.contains("not been booted with systemd") || lower.contains("failed to connect")
      ? ManagerException.Code.UNREACHABLE
      : lower.contains("not found") || lower.contains("access denied") || lower.contains("authentication required")
        || lower.contains("permission denied") ? ManagerException.Code.REFUSED : ManagerException.Code.FAILED;
    return new ManagerException(code, target() + " " + (code == ManagerException.Code.UNREACHABLE
      ? "is unreachable" : what) + ": " + (said.isEmpty() ? "systemctl exited with " + outcome.exit() : said));
  }

  private static long parse(String text, long fallback) {
    try {
      return text == null ? fallback : Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
