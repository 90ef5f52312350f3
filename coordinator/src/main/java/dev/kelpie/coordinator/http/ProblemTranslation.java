package dev.kelpie.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Whatever went wrong on the API, as {@code {status, code, message}}: decided by the failure's type (the OpenAPI
 * validator's {@link ValidatorException}, Vert.x Web's {@link HttpException} and its status), never by its words.
 */
public final class ProblemTranslation implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ProblemTranslation.class);

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpException http && http.getCause() instanceof ValidatorException invalid) {
      String message = invalid instanceof SchemaValidationException schema ? explain(schema) : invalid.getMessage();
      Problems.send(ctx, 400, BodyWatch.reachedBody(ctx) ? "bad_request" : "bad_parameter", message);
      return;
    }
    int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    String message = failure == null ? null : failure.getMessage();
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      message = http.getCause() != null ? http.getCause().getMessage() : http.getPayload();
    }
    if (status == 403 && CsrfGuard.checked(ctx) && !ctx.response().headWritten()) {
      Problems.send(ctx, 403, "csrf", "missing or stale X-XSRF-TOKEN header: send back the XSRF-TOKEN cookie's"
        + " value (any GET renews it)" + (message == null ? "" : "; " + message));
      return;
    }
    switch (status) {
      case 400 -> Problems.send(ctx, 400, "bad_request", message == null ? "bad request" : message);
      case 413 -> Problems.send(ctx, 413, "too_large",
        "the request body is over " + ApiGuards.BODY_LIMIT / 1024 + " KB");
      case 415 -> Problems.send(ctx, 415, "unsupported_media_type", "send JSON (Content-Type: application/json)");
      default -> {
        if (status >= 500) {
          log.error("API request {} {} failed", ctx.request().method(), ctx.normalizedPath(), failure);
        }
        Problems.send(ctx, status, status >= 500 ? "internal" : "error",
          message == null ? "request failed" : message);
      }
    }
  }

  /**
   * The validator's own summary names the wrapping keyword ("does not match additional properties schema") when a
   * known property has a bad value; the leaves of its output say what is actually wrong, and where.
   */
  static String explain(SchemaValidationException invalid) {
    List<String> leaves = new ArrayList<>();
    collect(invalid.getOutputUnit(), leaves);
    List<String> precise = leaves.stream().filter(leaf -> !leaf.contains("additional properties")
      && !leaf.contains("unevaluated")).toList();
    String where = invalid.getMessage().replaceFirst(" Reason: .*", "");
    return precise.isEmpty() ? invalid.getMessage() : where + " " + String.join("; ", precise);
  }

  private static void collect(OutputUnit unit, List<String> leaves) {
    if (unit == null) {
      return;
    }
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      if (unit.getError() != null) {
        String at = unit.getInstanceLocation() == null || unit.getInstanceLocation().equals("#") ? ""
          : unit.getInstanceLocation().replaceFirst("^#/", "") + ": ";
        leaves.add(at + unit.getError());
      }
      return;
    }
    unit.getErrors().forEach(child -> collect(child, leaves));
  }
}
