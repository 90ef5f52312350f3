package dev.kelpie.coordinator.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands the router builder's validator the request (with the body the body handler read) and notes on the request
 * when the validator gets to its body. The validator checks every parameter first, so a validation failure after
 * that point is the body's: {@link ProblemTranslation} answers {@code bad_request} for it, {@code bad_parameter}
 * otherwise, without reading the validator's words.
 */
final class BodyWatch implements RequestExtractor {

  private static final String REACHED = "kelpie.validator.body";

  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();

  /** Whether validation of this request had got to its body (or failed reading it). */
  static boolean reachedBody(RoutingContext ctx) {
    AtomicBoolean reached = ctx.get(REACHED);
    return reached != null && reached.get();
  }

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    AtomicBoolean reached = new AtomicBoolean();   // set on the validator's worker thread, read after it failed
    ctx.put(REACHED, reached);
    return extractor.extractValidatableRequest(ctx, operation)
      .<ValidatableRequest>map(request -> new Watched(request, reached))
      .onFailure(unreadable -> reached.set(true));
  }

  private record Watched(ValidatableRequest request, AtomicBoolean reached) implements ValidatableRequest {

    @Override
    public RequestParameter getBody() {
      reached.set(true);
      return request.getBody();
    }

    @Override
    public String getContentType() {
      return request.getContentType();
    }

    @Override
    public Map<String, RequestParameter> getCookies() {
      return request.getCookies();
    }

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return request.getPathParameters();
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return request.getQuery();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return request.getHeaders();
    }
  }
}
