package dev.kelpie.cli.remote;

import dev.kelpie.cli.KelpieCli;
import dev.kelpie.cli.Table;
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
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "status", mixinStandardHelpOptions = true,
  description = {"The fleet now (or one host): every supervised service with its state, pid, uptime and restarts, "
    + "every check with its state and last result.",
    "Exit status 1 when anything is failing: a check failing, unhealthy, being acted on or given up, a wanted "
      + "service down, an agent lost or disconnected; so scripts can ask."})
public final class StatusCommand implements Callable<Integer> {

  /** The states that make the exit status 1. */
  static final Set<String> FAILING = Set.of("failing", "unhealthy", "backing_off", "acting", "gave_up", "agent_lost");

  @Mixin
  RemoteOptions remote;

  @Spec
  CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "<host>", description = "one agent only")
  String host;

  @Option(names = "--json", description = "the same as JSON: {ok, services: [...], checks: [...]}")
  boolean json;

  @Override
  public Integer call() throws ApiException {
    JsonObject now = remote.api().get("/api/checks?view=summary"
      + (host == null ? "" : "&agent=" + Api.segment(host)));
    JsonArray agents = filtered(now.getJsonArray("agents"), "agentId");
    JsonArray checks = filtered(now.getJsonArray("checks"), "agentId");
    if (host != null && agents.isEmpty()) {
      throw new ApiException(404, "not_found", "no agent " + host);
    }
    Instant time = Instant.now();
    Set<String> paused = objects(checks).filter(c -> "paused".equals(c.getString("state")))
      .map(c -> c.getString("agentId") + "/" + c.getString("checkId")).collect(java.util.stream.Collectors.toSet());
    JsonArray services = new JsonArray();
    objects(agents).forEach(agent -> objects(agent.getJsonArray("services")).forEach(service ->
      services.add(serviceRow(agent, service, time,
        paused.contains(agent.getString("agentId") + "/" + service.getString("name") + ".process")))));
    JsonArray checkRows = new JsonArray();
    objects(checks).forEach(check -> checkRows.add(checkRow(check, time)));
    boolean ok = objects(services).noneMatch(s -> s.getBoolean("failing"))
      && objects(checkRows).noneMatch(c -> c.getBoolean("failing"));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new JsonObject().put("ok", ok).put("services", services).put("checks", checkRows).encodePrettily());
    } else {
      print(out, services, checkRows);
      out.println(ok ? "all well" : "something is failing");
    }
    out.flush();
    return ok ? 0 : KelpieCli.FAILING;
  }

  private JsonArray filtered(JsonArray items, String key) {
    JsonArray kept = new JsonArray();
    objects(items).filter(item -> host == null || host.equals(item.getString(key))).forEach(kept::add);
    return kept;
  }

  /** {@code stopped}: a person stopped it (its process check is paused meanwhile), so it is not failing. */
  private static JsonObject serviceRow(JsonObject agent, JsonObject service, Instant time, boolean stopped) {
    boolean wanted = service.getBoolean("wanted", true) && !stopped;
    Long pid = service.getLong("pid");
    boolean connected = agent.getBoolean("connected", false) && !agent.getBoolean("lost", false);
    String state = !connected ? "agent lost" : !wanted ? "stopped" : pid == null ? "down" : "running";
    Long started = service.getLong("startedAt");
    return new JsonObject().put("host", agent.getString("agentId")).put("service", service.getString("name"))
      .put("state", state).put("pid", pid)
      .put("uptimeSeconds", pid == null || started == null ? null
        : Duration.between(Instant.ofEpochMilli(started), time).toSeconds())
      .put("restarts", service.getInteger("restarts", 0))
      .put("failing", !connected || wanted && pid == null);
  }

  private static JsonObject checkRow(JsonObject check, Instant time) {
    JsonObject last = check.getJsonObject("lastResult");
    String state = check.getString("state", "unknown");
    return new JsonObject().put("host", check.getString("agentId")).put("check", check.getString("checkId"))
      .put("state", state).put("service", check.getString("service"))
      .put("lastResult", last == null ? null : last.getString("outcome") + " " + last.getLong("latencyMs") + " ms"
        + (last.getString("detail") == null || last.getString("detail").isBlank() ? ""
          : " " + last.getString("detail")))
      .put("restarts", check.getInteger("restartsUsed", 0) + "/" + check.getInteger("restartBudget", 0))
      .put("reason", check.getString("reason"))
      .put("failing", FAILING.contains(state));
  }

  private static void print(PrintWriter out, JsonArray services, JsonArray checks) {
    Table serviceTable = new Table("SERVICE", "STATE", "PID", "UP FOR", "RESTARTS");
    objects(services).forEach(s -> serviceTable.row(s.getString("host") + "/" + s.getString("service"),
      s.getString("state"), s.getLong("pid"),
      s.getLong("uptimeSeconds") == null ? null : Table.span(Duration.ofSeconds(s.getLong("uptimeSeconds"))),
      s.getInteger("restarts")));
    Table checkTable = new Table("CHECK", "STATE", "LAST RESULT", "RESTARTS", "WHY");
    objects(checks).forEach(c -> checkTable.row(c.getString("host") + "/" + c.getString("check"),
      c.getString("state"), c.getString("lastResult"), c.getString("restarts"), c.getString("reason")));
    if (services.isEmpty() && checks.isEmpty()) {
      out.println("no agent has connected yet (or none reports a check)");
      return;
    }
    if (!serviceTable.isEmpty()) {
      serviceTable.print(out);
      out.println();
    }
    checkTable.print(out);
  }

  static Stream<JsonObject> objects(JsonArray array) {
    return array == null ? Stream.empty() : array.stream().map(JsonObject.class::cast);
  }
}
