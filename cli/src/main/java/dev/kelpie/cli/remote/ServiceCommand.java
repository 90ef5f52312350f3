package dev.kelpie.cli.remote;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** restart, stop and start: one command to the service's agent, recorded with the caller's name and reason. */
public abstract class ServiceCommand implements Callable<Integer> {

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<host>/<service>", description = "the agent and one of the services it supervises")
  String target;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why (kept in history; default: ${DEFAULT-VALUE})",
    defaultValue = "from the kelpie command line")
  String reason;

  abstract String action();

  @Override
  public Integer call() throws ApiException {
    Target service = Target.parse(spec.commandLine(), target, "service");
    JsonObject reply = remote.api().post(service.path("services") + "/" + action(),
      new JsonObject().put("reason", reason));
    spec.commandLine().getOut().printf("%s of %s sent (command %s); its outcome shows in kelpie events and "
      + "/api/actions%n", action(), service, reply.getString("commandId", "?"));
    return 0;
  }

  @Command(name = "restart", mixinStandardHelpOptions = true,
    description = "Restarts a supervised service: its whole process tree is stopped, then it is started again.")
  public static final class Restart extends ServiceCommand {
    @Override
    String action() {
      return "restart";
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stops a supervised service; it stays down (not restarted) until started.")
  public static final class Stop extends ServiceCommand {
    @Override
    String action() {
      return "stop";
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts a stopped service again.")
  public static final class Start extends ServiceCommand {
    @Override
    String action() {
      return "start";
    }
  }
}
