package dev.kelpie.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "reset", mixinStandardHelpOptions = true,
  description = "Lets a check that gave up start over (its restart budget renewed). Refused (exit 3) for a check "
    + "that has not given up.")
public final class ResetCommand implements Callable<Integer> {

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<host>/<check>", description = "the agent and the check")
  String target;

  @Override
  public Integer call() throws ApiException {
    Target check = Target.parse(spec.commandLine(), target, "check");
    remote.api().post(check.path("checks") + "/reset", new io.vertx.core.json.JsonObject());
    spec.commandLine().getOut().printf("%s starts over%n", check);
    return 0;
  }
}
