package dev.kelpie.agent.config;

import dev.kelpie.shared.config.ConfigNode;
import dev.kelpie.shared.config.PolicyReader;
import dev.kelpie.shared.message.ServiceInfo;
import dev.kelpie.shared.policy.PolicySpec;
import dev.kelpie.shared.rules.AgentRules;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads one entry of {@code services:}; remembers the names read, so checks can be matched to them. */
final class ServiceReader {

  private static final List<String> SIGNALS = List.of("TERM", "INT", "HUP", "QUIT", "USR1", "USR2");
  private static final List<String> SPAWN_KEYS = List.of("command", "workdir", "env", "adopt", "autostart",
    "stopSignal", "stopGrace", "tunnel");
  private static final String PROCESS_CHECK = ".process";
  private static final String COMMAND_EXAMPLE = "[java, -jar, app.jar, --port, \"8081\"]";

  private final PolicySpec defaults;
  private final Set<String> names = new LinkedHashSet<>();

  ServiceReader(PolicySpec defaults) {
    this.defaults = defaults;
  }

  /** The names of the services read so far, in file order. */
  Set<String> names() {
    return names;
  }

  AgentConfig.ServiceSpec read(ConfigNode node) {
    String name = node.id("name");
    if (name != null && !names.add(name)) {
      node.problem("name", "duplicate service name '" + name + "'");
    }
    if (name != null) {
      AgentRules.service(new ServiceInfo(name + PROCESS_CHECK, false, null, null, null)).forEach(problem ->
        node.problem("name", "too long for its process check's id, " + name + PROCESS_CHECK + " ("
          + problem.substring(problem.indexOf(": ") + 2) + ")"));
    }
    AgentConfig.Manager manager = ManagerReader.read(node.child("manager"));
    if (manager.type() != AgentConfig.Manager.Type.KELPIE) {
      refuseSpawnKeys(node, manager);
    }
    String workdir = node.optionalString("workdir", null);
    Integer port = node.optionalInt("port", null, 1, 65_535);
    PolicySpec restart = PolicyReader.readRestart(node, "restart", defaults);
    PolicySpec processPolicy = processPolicy(restart);
    PolicyReader.report(node, "restart", processPolicy, defaults.problems());
    AgentRules.policy(processPolicy).stream().filter(problem -> !processPolicy.problems().contains(problem))
      .forEach(problem -> node.problem("restart." + problem.substring(0, problem.indexOf(": ")),
        problem.substring(problem.indexOf(": ") + 2)));
    List<String> command = manager.type() != AgentConfig.Manager.Type.KELPIE ? List.of()
      : node.has("tunnel") ? tunnel(node) : command(node);
    return new AgentConfig.ServiceSpec(name, command, workdir == null ? null : Path.of(workdir),
      node.optionalStringMap("env"), stopSignal(node), node.optionalDuration("stopGrace", Duration.ofSeconds(10)),
      port, adopt(node.child("adopt")), node.optionalBool("autostart", true),
      node.optionalDuration("portReleaseTimeout", Duration.ofSeconds(10)), processPolicy, manager);
  }

  /** A service another manager runs: how to run it is that manager's business, said in its own configuration. */
  private static void refuseSpawnKeys(ConfigNode node, AgentConfig.Manager manager) {
    for (String key : SPAWN_KEYS) {
      if (node.has(key)) {
        node.problem(key, "not used when " + manager.type().key() + " manages the service; it belongs to services "
          + "Kelpie starts itself (manager type kelpie)");
        node.ignore(key);
      }
    }
  }

  /**
   * The policy of a service's own process check: an exit is a failure that needs no confirmation and no grace,
   * so the restart comes at once; budget and backoff still apply.
   */
  static PolicySpec processPolicy(PolicySpec restart) {
    return new PolicySpec(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, null, 1, Duration.ZERO, false,
      Duration.ZERO, restart.budget(), restart.backoff(), true);
  }

  /** A tunnel's command is made from its {@code tunnel:} section; it has no command of its own. */
  private static List<String> tunnel(ConfigNode node) {
    if (node.has("command")) {
      node.problem("command", "a service with a tunnel: section has no command (Kelpie makes the ssh command)");
      node.ignore("command");
    }
    return TunnelReader.command(node.child("tunnel"));
  }

  private static List<String> command(ConfigNode node) {
    boolean given = node.has("command");
    List<String> command = node.optionalStringList("command", COMMAND_EXAMPLE + " (no shell is used)");
    if (!given) {
      node.problem("command", "missing; expected the program and its arguments as a list, like " + COMMAND_EXAMPLE);
    } else if (command != null && command.isEmpty()) {
      node.problem("command", "must name a program to run, like " + COMMAND_EXAMPLE);
    }
    return command == null ? List.of() : List.copyOf(command);
  }

  private static String stopSignal(ConfigNode node) {
    String given = node.optionalString("stopSignal", "TERM");
    String signal = given.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
    if (!SIGNALS.contains(signal)) {
      node.problem("stopSignal", "expected one of " + String.join(", ", SIGNALS) + " (SIGTERM also works), got \""
        + given + "\"");
      return "TERM";
    }
    return signal;
  }

  private static AgentConfig.Adopt adopt(ConfigNode node) {
    if (node == null) {
      return null;
    }
    String pidfile = node.optionalString("pidfile", null);
    Integer port = node.optionalInt("port", null, 1, 65_535);
    String pattern = node.optionalRegex("pattern");
    if (!node.has("pidfile") && !node.has("port") && !node.has("pattern")) {
      node.problem("", "needs at least one of pidfile, port, pattern");
    }
    node.finish();
    return new AgentConfig.Adopt(pidfile == null ? null : Path.of(pidfile), port, pattern);
  }
}
