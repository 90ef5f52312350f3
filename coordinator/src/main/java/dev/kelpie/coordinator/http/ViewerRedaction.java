package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.access.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * What a viewer is not shown: a command line's arguments, which can hold secrets (a password on a health script's
 * command line). A viewer sees the program ({@code exec /usr/lib/nagios/plugins/check_pgsql}); an operator, who may
 * act on the service anyway, sees all.
 */
final class ViewerRedaction {

  private static final String EXEC = "exec ";

  private ViewerRedaction() {
  }

  static boolean seesAll(Caller caller) {
    return caller != null && caller.mayAct();
  }

  /** The fleet view ({@code checks}, {@code agents}) as this request's caller may see it; changed in place. */
  static JsonObject forCaller(RoutingContext ctx, JsonObject view) {
    return seesAll(Gatekeeper.caller(ctx)) ? view : redact(view);
  }

  /** The view with every check's arguments left out; changed in place. */
  static JsonObject redact(JsonObject view) {
    if (view.getValue("checks") instanceof JsonArray checks) {
      checks.forEach(item -> {
        if (item instanceof JsonObject check) {
          check(check);
        }
      });
    }
    return view;
  }

  static JsonObject check(JsonObject check) {
    if (check.getValue("target") instanceof String target && target.startsWith(EXEC)) {
      String command = target.substring(EXEC.length()).strip();
      int space = command.indexOf(' ');
      if (space > 0) {
        check.put("target", EXEC + command.substring(0, space) + " …");
      }
    }
    return check;
  }
}
