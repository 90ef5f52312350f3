package dev.kelpie.cli.remote;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** remediate: what a jobs check found (stuck rows) set to failed, or only listed with --dry-run. */
@Command(name = "remediate", mixinStandardHelpOptions = true,
  description = "Remediates what a jobs check found: its stuck rows are set to failed (one UPDATE of the rows still "
    + "stuck), or, with --dry-run, only listed. Recorded in /api/actions with your name, the rows and their ids.")
public final class RemediateCommand implements Callable<Integer> {

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<host>/<check>", description = "the agent and one of its jobs checks")
  String target;

  @Option(names = "--dry-run", description = "list the rows it would change, change nothing")
  boolean dryRun;

  @Option(names = "--reason", paramLabel = "TEXT", required = true,
    description = "why (kept in history and written with each row changed)")
  String reason;

  @Override
  public Integer call() throws ApiException {
    Target check = Target.parse(spec.commandLine(), target, "check");
    JsonObject reply = remote.api().post(check.path("checks") + "/remediate",
      new JsonObject().put("dryRun", dryRun).put("reason", reason));
    JsonObject done = reply.getJsonObject("remediation");
    if (done == null) {
      spec.commandLine().getOut().printf("remediation of %s sent (command %s); no answer yet: its outcome shows in "
        + "kelpie events and /api/actions%n", check, reply.getString("commandId", "?"));
      return 0;
    }
    int count = done.getInteger("count");
    String rows = count == 1 ? "1 row" : count + " rows";
    spec.commandLine().getOut().printf("%s of %s: %s%s (command %s)%n", dryRun ? "dry run" : "remediation", check,
      dryRun ? rows + " would be set to failed" : rows + " set to failed",
      count == 0 ? "" : ": " + String.join(", ", done.getJsonArray("ids").getList()),
      reply.getString("commandId"));
    return 0;
  }
}
