package dev.kelpie.coordinator.alert;

import dev.kelpie.coordinator.config.AlertSettings;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Which receivers an alert goes to: every route it matches; with no routes configured, every receiver. */
final class Routes {

  private final List<AlertSettings.Route> routes;
  private final List<String> everyReceiver;

  Routes(AlertSettings settings) {
    this.routes = settings.routes();
    this.everyReceiver = settings.receivers().stream().map(AlertSettings.Receiver::name).toList();
  }

  Set<String> receivers(JsonObject alert) {
    if (routes.isEmpty()) {
      return new LinkedHashSet<>(everyReceiver);
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (AlertSettings.Route route : routes) {
      if (matches(route, alert)) {
        chosen.addAll(route.receivers());
      }
    }
    return chosen;
  }

  private static boolean matches(AlertSettings.Route route, JsonObject alert) {
    if (route.severities() != null && !route.severities().contains(alert.getString("severity"))) {
      return false;
    }
    if (route.kinds() != null && !route.kinds().contains(alert.getString("kind"))) {
      return false;
    }
    JsonObject labels = alert.getJsonObject("labels", new JsonObject());
    for (Map.Entry<String, String> label : route.labels().entrySet()) {
      if (!label.getValue().equals(labels.getString(label.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
