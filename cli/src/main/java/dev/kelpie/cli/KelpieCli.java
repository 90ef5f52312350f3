package dev.kelpie.cli;

import dev.kelpie.cli.local.AgentCommand;
import dev.kelpie.cli.local.ForceCleanCommand;
import dev.kelpie.cli.local.WhoHoldsCommand;
import dev.kelpie.cli.remote.ApiException;
import dev.kelpie.cli.remote.DumpCommand;
import dev.kelpie.cli.remote.EventsCommand;
import dev.kelpie.cli.remote.LoginCommand;
import dev.kelpie.cli.remote.RemediateCommand;
import dev.kelpie.cli.remote.ResetCommand;
import dev.kelpie.cli.remote.ServiceCommand;
import dev.kelpie.cli.remote.SilenceCommand;
import dev.kelpie.cli.remote.StatusCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kelpie}: the fleet from a shell, over the coordinator's API, and this host's agent without the coordinator.
 * Exit statuses: 0 done (all well), 1 something is failing or was not found, 2 a usage or configuration error, 3 the
 * coordinator refused or could not be reached, 4 something could not be killed.
 */
@Command(name = "kelpie", mixinStandardHelpOptions = true, version = "kelpie 0.1.0",
  description = "Kelpie from a shell: the fleet's state and actions over the coordinator's API, and this host's "
    + "agent, ports and leftovers without it.",
  subcommands = {StatusCommand.class, ServiceCommand.Restart.class, ServiceCommand.Stop.class,
    ServiceCommand.Start.class, DumpCommand.class, RemediateCommand.class, ResetCommand.class, SilenceCommand.class, EventsCommand.class, LoginCommand.class,
    LoginCommand.Logout.class, WhoHoldsCommand.class, ForceCleanCommand.class, AgentCommand.class,
    AutoComplete.GenerateCompletion.class},
  footer = {"", "Exit status: 0 done and all well; 1 something is failing or was not found; 2 bad usage or "
    + "configuration; 3 the coordinator refused or could not be reached; 4 something could not be killed.",
    "Shell completion: source <(kelpie generate-completion)"})
public final class KelpieCli {

  public static final int FAILING = 1;
  public static final int REFUSED = 3;
  public static final int SURVIVED = 4;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine line = new CommandLine(new KelpieCli());
    line.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    line.setExecutionExceptionHandler((failure, command, parsed) -> {
      if (failure instanceof ApiException refused) {
        command.getErr().println("kelpie: " + refused.sentence());
        return REFUSED;
      }
      if (failure instanceof dev.kelpie.shared.config.ConfigException config) {
        command.getErr().println(config.getMessage());
        return 2;
      }
      throw failure;
    });
    return line;
  }
}
