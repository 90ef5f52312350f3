package dev.kelpie.cli.remote;

import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "silence", mixinStandardHelpOptions = true,
  description = "Silences a check (<host>/<check>) or a whole host (<host>): its results are kept but not judged, "
    + "nothing is restarted and no alert is sent, until the time is up or --off.")
public final class SilenceCommand implements Callable<Integer> {

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<target>", description = "<host>/<check>, or <host> for all its checks")
  String target;

  @Parameters(index = "1", arity = "0..1", paramLabel = "<duration>",
    description = "how long: 30m, 2h, 1d (at most 30d)")
  String duration;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why (kept in history)")
  String reason;

  @Option(names = "--off", description = "ends the silence now")
  boolean off;

  @Override
  public Integer call() throws ApiException {
    String path = target.contains("/") ? Target.parse(spec.commandLine(), target, "check").path("checks") + "/silence"
      : "/api/agents/" + Api.segment(target) + "/silence";
    if (off) {
      remote.api().delete(path);
      spec.commandLine().getOut().printf("%s is no longer silenced%n", target);
      return 0;
    }
    if (duration == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "how long? e.g. kelpie silence "
        + target + " 2h --reason 'patching' (or --off)");
    }
    JsonObject body = new JsonObject().put("duration", duration);
    if (reason != null) {
      body.put("reason", reason);
    }
    JsonObject reply = remote.api().post(path, body);
    spec.commandLine().getOut().printf("%s silenced until %s%n", target, reply.getString("silencedUntil", "?"));
    return 0;
  }
}
