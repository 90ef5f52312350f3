package dev.kelpie.coordinator.e2e;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI document a coordinator serves, as the judge of every API response the end-to-end tests receive: the
 * status must be declared for the operation, and the body must match its schema, with one strictness the document
 * leaves to clients: no field may be sent that is not declared (every object schema is read as if it said
 * {@code additionalProperties: false}), so a field added to the JSON without adding it to the document fails here.
 * Validation is vertx-openapi's {@link ResponseValidator}, the library the coordinator routes with.
 */
final class ApiContract implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final Set<String> checked = ConcurrentHashMap.newKeySet();

  private ApiContract(JsonObject document) {
    this.contract = OpenAPIContract.from(vertx, strict(document)).await();
    this.validator = ResponseValidator.create(vertx, contract);
  }

  /** The contract as served at {@code /api/openapi.yaml} by the coordinator at {@code baseUrl}. */
  static ApiContract served(String yaml) {
    Map<String, Object> document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    return new ApiContract(new JsonObject(io.vertx.core.json.Json.encode(document)));
  }

  /** Operations whose responses were checked so far, as "operationId status". */
  Set<String> checked() {
    return Set.copyOf(checked);
  }

  /**
   * Fails with what is wrong when the response is not one the document declares for its request; responses from
   * outside {@code /api} (or to paths the document does not have, which are 404s by the API's own router) pass.
   */
  HttpResponse<String> check(HttpResponse<String> response) {
    check(response.request().method(), response.request().uri().getPath(), response.statusCode(),
      response.headers().firstValue("content-type").orElse(null), response.body());
    return response;
  }

  /** The same check on a response's parts. */
  void check(String method, String path, int status, String contentType, String body) {
    if (!path.startsWith("/api/")) {
      return;
    }
    Operation operation = contract.findOperation(path, HttpMethod.valueOf(method));
    if (operation == null || "getOpenApi".equals(operation.getOperationId())) {
      return;
    }
    ValidatableResponse validatable = body.isEmpty() && contentType == null
      ? ValidatableResponse.create(status)
      : ValidatableResponse.create(status, Buffer.buffer(body), contentType);
    try {
      validator.validate(validatable, operation.getOperationId()).await();
    } catch (RuntimeException e) {
      throw new AssertionError(method + " " + path + " answered " + status + ", which the served OpenAPI document "
        + "does not allow for " + operation.getOperationId() + ": " + describe(e) + "\nbody: " + abbreviate(body), e);
    }
    checked.add(operation.getOperationId() + " " + status);
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    if (e instanceof io.vertx.openapi.validation.SchemaValidationException schema
      && schema.getOutputUnit() != null) {
      text.append(" ").append(schema.getOutputUnit().toJson().encode());
    }
    return text.toString();
  }

  private static String abbreviate(String body) {
    return body.length() > 2000 ? body.substring(0, 2000) + "..." : body;
  }

  /** Every object schema that lists its properties and says nothing of others is closed to others. */
  private static JsonObject strict(JsonObject document) {
    close(document);
    return document;
  }

  private static void close(Object node) {
    if (node instanceof JsonObject object) {
      if (object.getValue("properties") instanceof JsonObject && !object.containsKey("additionalProperties")) {
        object.put("additionalProperties", false);
      }
      object.forEach(entry -> close(entry.getValue()));
    } else if (node instanceof JsonArray array) {
      array.forEach(ApiContract::close);
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
