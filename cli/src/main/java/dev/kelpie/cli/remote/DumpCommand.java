package dev.kelpie.cli.remote;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code kelpie dump <host>/<service>}: the evidence a kill would take (thread dump, /proc status, output tail,
 * last heartbeat kick), without the kill. Sends the dump, waits for the agent's answer in /api/actions, prints it.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
  description = {"Takes a service's evidence without killing it: a JVM's thread dump, its /proc status (state, "
    + "memory, threads, open files), the last 100 lines of its output, and its last heartbeat kick.",
    "Waits for the agent's answer and prints it; the same shows on the dashboard and in /api/actions."})
public final class DumpCommand implements Callable<Integer> {

  private static final long POLL_MILLIS = 250;

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "<host>/<service>", description = "the agent and one of the services it supervises")
  String target;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why (kept in history; default: ${DEFAULT-VALUE})",
    defaultValue = "from the kelpie command line")
  String reason;

  @Option(names = "--wait", paramLabel = "SECONDS", description = "how long to wait for the answer "
    + "(default: ${DEFAULT-VALUE})", defaultValue = "20")
  int waitSeconds;

  @Option(names = "--json", description = "print the action with its evidence as JSON")
  boolean json;

  @Override
  public Integer call() throws ApiException, InterruptedException {
    Target service = Target.parse(spec.commandLine(), target, "service");
    Api api = remote.api();
    String commandId = api.post(service.path("services") + "/dump", new JsonObject().put("reason", reason))
      .getString("commandId");
    PrintWriter out = spec.commandLine().getOut();
    long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
    Optional<JsonObject> answered = answer(api, service, commandId);
    while (answered.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL_MILLIS);
      answered = answer(api, service, commandId);
    }
    if (answered.isEmpty()) {
      spec.commandLine().getErr().printf("dump of %s sent (command %s), no answer within %d s; see kelpie events%n",
        service, commandId, waitSeconds);
      return 1;
    }
    JsonObject action = answered.get();
    if (json) {
      out.println(action.encodePrettily());
    } else {
      print(out, service, action);
    }
    return "done".equals(action.getString("status")) ? 0 : 1;
  }

  private static Optional<JsonObject> answer(Api api, Target service, String commandId) throws ApiException {
    JsonArray items = api.get("/api/actions?agent=" + Api.segment(service.agent()) + "&service="
      + Api.segment(service.name()) + "&limit=50").getJsonArray("items", new JsonArray());
    return items.stream().map(JsonObject.class::cast)
      .filter(a -> commandId.equals(a.getString("commandId")) && a.getString("status") != null).findFirst();
  }

  private static void print(PrintWriter out, Target service, JsonObject action) {
    JsonObject evidence = action.getJsonObject("evidence");
    out.printf("dump of %s: %s: %s%n", service, action.getString("status"), action.getString("detail"));
    if (evidence == null) {
      out.println("no evidence came back (an agent older than this command line?)");
      return;
    }
    out.printf("%s (took %d ms)%n", evidence.getString("summary"), evidence.getLong("tookMs"));
    evidence.getJsonArray("missing", new JsonArray()).forEach(why -> out.printf("missing: %s%n", why));
    section(out, "thread dump", evidence.getString("threadDump"));
    section(out, "last output (" + evidence.getString("outputSource", "?") + ")", evidence.getString("outputTail"));
  }

  private static void section(PrintWriter out, String title, String text) {
    if (text != null) {
      out.printf("%n--- %s ---%n%s%n", title, text.stripTrailing());
    }
  }
}
