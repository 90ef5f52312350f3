package dev.kelpie.cli.remote;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "events", mixinStandardHelpOptions = true,
  description = {"The latest actions (restarts, stops, starts: who, why, how it went), oldest first.",
    "With --follow, then every check's state change and every new action as they happen, until Ctrl-C. It asks the "
      + "API every --interval (a check that changes and changes back between two looks is not shown: the "
      + "dashboard and /api/checks/{agent}/{check}/transitions have every one)."})
public final class EventsCommand implements Callable<Integer> {

  private static final DateTimeFormatter CLOCK =
    DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--follow"}, description = "keep printing what happens")
  boolean follow;

  @Option(names = "--interval", paramLabel = "MILLIS", defaultValue = "1000",
    description = "with --follow, how often to look, in milliseconds (default: ${DEFAULT-VALUE})")
  long intervalMillis;

  @Option(names = "--limit", defaultValue = "20",
    description = "how many past actions to show (default: ${DEFAULT-VALUE})")
  int limit;

  private final Map<String, String> states = new HashMap<>();
  private final Set<String> actionsSeen = new HashSet<>();

  @Override
  public Integer call() throws ApiException {
    Api api = remote.api();
    PrintWriter out = spec.commandLine().getOut();
    printActions(out, api.get("/api/actions?limit=" + limit));
    if (!follow) {
      return 0;
    }
    remember(api.get("/api/checks?view=summary"), null);
    out.println("-- following; Ctrl-C stops --");
    out.flush();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(intervalMillis);
        remember(api.get("/api/checks?view=summary"), out);
        printActions(out, api.get("/api/actions?limit=100"));
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Prints the state changes since the last look (none on the first). */
  private void remember(JsonObject now, PrintWriter out) {
    for (JsonObject check : StatusCommand.objects(now.getJsonArray("checks")).toList()) {
      String key = check.getString("agentId") + "/" + check.getString("checkId");
      String state = check.getString("state");
      String before = states.put(key, state);
      if (out != null && !state.equals(before)) {
        String reason = check.getString("reason");
        out.printf("%s  %-28s %s -> %s%s%n", CLOCK.format(Instant.now()), key, before == null ? "(new)" : before,
          state, reason == null || reason.isBlank() ? "" : "  (" + reason + ")");
      }
    }
    if (out != null) {
      out.flush();
    }
  }

  /** Actions not printed yet, oldest first; an action is printed again once it has its outcome. */
  private void printActions(PrintWriter out, JsonObject page) {
    JsonArray items = page.getJsonArray("items", new JsonArray());
    List<JsonObject> fresh = new ArrayList<>();
    for (JsonObject action : StatusCommand.objects(items).toList()) {
      String status = action.getString("status");
      if (actionsSeen.add(action.getString("commandId") + "/" + status)) {
        fresh.add(0, action);
      }
    }
    for (JsonObject a : fresh) {
      String status = a.getString("status");
      Instant at = parse(status == null ? a.getString("issuedAt") : a.getString("finishedAt", a.getString("issuedAt")));
      out.printf("%s  %-28s %s by %s%s: %s%n", at == null ? "--:--:--" : CLOCK.format(at),
        a.getString("agentId") + "/" + a.getString("service"), a.getString("action"), a.getString("issuedBy"),
        a.getString("reason") == null ? "" : " (" + a.getString("reason") + ")",
        status == null ? "sent"
          : status.toLowerCase() + (a.getString("detail") == null ? "" : ", " + a.getString("detail")));
    }
    out.flush();
  }

  private static Instant parse(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

}
