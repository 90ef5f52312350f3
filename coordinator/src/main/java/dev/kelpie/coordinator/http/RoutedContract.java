package dev.kelpie.coordinator.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.util.Map;

/**
 * The OpenAPI document as routed. Its security requirements are for readers and clients; the {@link Gatekeeper}
 * enforces them in front of every route (the router builder only knows Vert.x's own authentication handlers), so
 * they are taken out here. The document served at {@code /api/openapi.yaml} is the file itself, unchanged.
 */
final class RoutedContract {

  private RoutedContract() {
  }

  static Future<OpenAPIContract> load(Vertx vertx, String file) {
    return vertx.fileSystem().readFile(file).compose(yaml -> OpenAPIContract.from(vertx, withoutSecurity(yaml)));
  }

  private static JsonObject withoutSecurity(Buffer yaml) {
    Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml.toString());
    JsonObject raw = new JsonObject(Json.encode(document));
    raw.remove("security");
    raw.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).forEach(operation -> {
      if (operation.getValue() instanceof JsonObject json) {
        json.remove("security");
      }
    }));
    return raw;
  }
}
