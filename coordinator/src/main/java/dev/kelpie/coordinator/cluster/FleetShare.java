package dev.kelpie.coordinator.cluster;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One coordinator's share of the fleet's counts, as it publishes it to the others ({@code FLEET_SHARES}).
 *
 * @param node      who counted it
 * @param version   grows whenever the restarts running or waiting here change (not the failures: only admissions
 *                  wait for the others to have heard of a version)
 * @param heard     the version of each other node's share this node has received (its acknowledgement)
 * @param running   restarts sent by this node and not answered yet, in all and per label group
 * @param waiting   restarts waiting their turn on this node, in all and per label group
 * @param hostsIn   this node's hosts in each label group (for a group's percent)
 * @param failing   per shared cause ({@code check:db}, {@code target:10.0.0.5}) with a failing host here
 *                  or asked about: what this node sees of it
 */
public record FleetShare(String node, long version, Map<String, Long> heard, int running,
                         Map<String, Integer> runningIn, int waiting, Map<String, Integer> waitingIn,
                         Map<String, Integer> hostsIn, Map<String, Cause> failing) {

  /**
   * What one node sees of a shared cause: its hosts failing it now, of those the ones that began failing within the
   * rule's window, its hosts that have it at all, and, when the cause is tripped here, since when and who released it.
   */
  public record Cause(int failing, int recent, int hosts, String since, String overriddenBy) {

    JsonObject toJson() {
      return new JsonObject().put("failing", failing).put("recent", recent).put("hosts", hosts).put("since", since)
        .put("overriddenBy", overriddenBy);
    }

    static Cause fromJson(JsonObject json) {
      return new Cause(json.getInteger("failing", 0), json.getInteger("recent", 0), json.getInteger("hosts", 0),
        json.getString("since"), json.getString("overriddenBy"));
    }
  }

  /** The same counts, as {@code node}'s at {@code version}, having heard {@code heard} of the others. */
  public FleetShare as(String node, long version, Map<String, Long> heard) {
    return new FleetShare(node, version, Map.copyOf(heard), running, runningIn, waiting, waitingIn, hostsIn, failing);
  }

  public JsonObject toJson() {
    JsonObject causes = new JsonObject();
    failing.forEach((key, cause) -> causes.put(key, cause.toJson()));
    return new JsonObject().put("node", node).put("version", version).put("heard", new JsonObject(new HashMap<>(heard)))
      .put("running", running).put("runningIn", new JsonObject(new HashMap<>(runningIn)))
      .put("waiting", waiting).put("waitingIn", new JsonObject(new HashMap<>(waitingIn)))
      .put("hostsIn", new JsonObject(new HashMap<>(hostsIn))).put("failing", causes);
  }

  public static FleetShare fromJson(JsonObject json) {
    return new FleetShare(json.getString("node"), json.getLong("version", 0L),
      map(json.getJsonObject("heard"), value -> ((Number) value).longValue()), json.getInteger("running", 0),
      map(json.getJsonObject("runningIn"), FleetShare::integer), json.getInteger("waiting", 0),
      map(json.getJsonObject("waitingIn"), FleetShare::integer), map(json.getJsonObject("hostsIn"), FleetShare::integer),
      map(json.getJsonObject("failing"), value -> Cause.fromJson((JsonObject) value)));
  }

  private static Integer integer(Object value) {
    return ((Number) value).intValue();
  }

  private static <T> Map<String, T> map(JsonObject json, Function<Object, T> read) {
    Map<String, T> out = new HashMap<>();
    if (json != null) {
      json.forEach(entry -> out.put(entry.getKey(), read.apply(entry.getValue())));
    }
    return Map.copyOf(out);
  }
}
