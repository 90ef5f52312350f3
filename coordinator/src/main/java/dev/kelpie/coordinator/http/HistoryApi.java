package dev.kelpie.coordinator.http;

import dev.kelpie.coordinator.alert.AlertOutbox;
import dev.kelpie.coordinator.alert.Delivery;
import dev.kelpie.coordinator.store.History;
import dev.kelpie.coordinator.store.HistoryReader;
import dev.kelpie.coordinator.store.HistoryReader.Page;
import dev.kelpie.coordinator.store.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;

/**
 * History over HTTP, JSON, newest first, paged with {@code before} (the {@code next} of the previous page).
 * Time ranges are {@code from} and {@code to} (ISO-8601; the last day by default); a results range longer than
 * {@value #RAW_HOURS} hours comes back summed per bucket. Bad parameters get a 400 naming the parameter.
 */
final class HistoryApi {

  private static final int RAW_HOURS = 6;
  private static final int POINTS = 300;

  /** A parameter that cannot be used; answered as 400 with code {@code bad_parameter}. */
  private static final class BadParameter extends RuntimeException {
    BadParameter(String message) {
      super(message);
    }
  }

  private final HistoryReader history;
  private final AlertOutbox outbox;

  HistoryApi(Store store) {
    this(store.history(), store.outbox());
  }

  HistoryApi(HistoryReader history, AlertOutbox outbox) {
    this.history = history;
    this.outbox = outbox;
  }

  void mount(RouterBuilder builder) {
    builder.getRoute("checkResults").addHandler(ctx -> answer(ctx, page -> {
      Duration range = Duration.between(page.from(), page.to());
      if (range.compareTo(Duration.ofHours(RAW_HOURS)) <= 0) {
        return history.results(ctx.pathParam("agentId"), ctx.pathParam("checkId"), page)
          .map(items -> paged(items, page, HistoryJson::result, History.Result::time));
      }
      Duration bucket = Duration.ofSeconds(Math.max(1, range.toSeconds() / POINTS));
      return history.resultBuckets(ctx.pathParam("agentId"), ctx.pathParam("checkId"), page.from(), page.to(), bucket)
        .map(items -> new JsonObject().put("items", HistoryJson.array(items, HistoryJson::bucket))
          .put("bucketSeconds", bucket.toSeconds()).putNull("next"));
    }));
    builder.getRoute("checkTransitions").addHandler(ctx -> answer(ctx, page ->
      history.transitions(ctx.pathParam("agentId"), ctx.pathParam("checkId"), page)
        .map(items -> paged(items, page, HistoryJson::transition, History.Transition::time))));
    builder.getRoute("listIncidents").addHandler(ctx -> answer(ctx, page -> history.incidents(
      ctx.queryParams().get("host"), ctx.queryParams().get("agent"), ctx.queryParams().get("check"), openFilter(ctx),
      page).map(items -> paged(items, page, HistoryJson::incident, History.Incident::openedAt))));
    builder.getRoute("getIncident").addHandler(ctx -> history.incident(ctx.pathParam("id"))
      .onSuccess(found -> found.ifPresentOrElse(incident -> ctx.json(HistoryJson.incident(incident)),
        () -> Problems.send(ctx, 404, "not_found", "no incident '" + ctx.pathParam("id") + "'")))
      .onFailure(failure -> unavailable(ctx, failure)));
    builder.getRoute("listActions").addHandler(ctx -> answer(ctx, page -> history.actions(
      ctx.queryParams().get("agent"), ctx.queryParams().get("service"), page)
      .map(items -> paged(items, page, HistoryJson::action, History.Action::time))));
    builder.getRoute("listDeliveries").addHandler(ctx -> answer(ctx, page -> outbox
      .deliveries(deliveryState(ctx), ctx.queryParams().get("receiver"), page.limit(), page.before())
      .map(items -> paged(items.stream().map(JsonObject.class::cast).toList(), page, Function.identity(),
        delivery -> Instant.parse(delivery.getString("createdAt"))))));
  }

  private static Delivery.State deliveryState(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state == null) {
      return null;
    }
    return switch (state) {
      case "pending" -> Delivery.State.PENDING;
      case "delivered" -> Delivery.State.DELIVERED;
      case "dead" -> Delivery.State.DEAD;
      default -> throw new BadParameter("state: expected pending, delivered or dead, got \"" + state + "\"");
    };
  }

  private static void answer(RoutingContext ctx, Function<Page, Future<JsonObject>> query) {
    Future<JsonObject> answer;
    try {
      answer = query.apply(page(ctx));
    } catch (BadParameter e) {
      Problems.send(ctx, 400, "bad_parameter", e.getMessage());
      return;
    }
    answer
      .onSuccess(ctx::json)
      .onFailure(failure -> unavailable(ctx, failure));
  }

  private static void unavailable(RoutingContext ctx, Throwable failure) {
    Problems.send(ctx, 503, "store_unavailable", "history cannot be read now: " + failure.getMessage());
  }

  private static Page page(RoutingContext ctx) {
    Instant to = instant(ctx, "to", Instant.now());
    Instant from = instant(ctx, "from", to.minus(Duration.ofDays(1)));
    if (!from.isBefore(to)) {
      throw new BadParameter("from (" + from + ") must be before to (" + to + ")");
    }
    return new Page(from, to, limit(ctx), instant(ctx, "before", null));
  }

  private static Instant instant(RoutingContext ctx, String name, Instant fallback) {
    String text = ctx.queryParams().get(name);
    if (text == null) {
      return fallback;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new BadParameter(name + ": expected an ISO-8601 instant like 2026-01-31T12:00:00Z, got \"" + text + "\"");
    }
  }

  private static int limit(RoutingContext ctx) {
    String text = ctx.queryParams().get("limit");
    if (text == null) {
      return 100;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= 1000) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new BadParameter("limit: expected a whole number from 1 to 1000, got \"" + text + "\"");
  }

  private static Boolean openFilter(RoutingContext ctx) {
    String state = ctx.queryParams().get("state");
    if (state == null) {
      return null;
    }
    return switch (state) {
      case "open" -> true;
      case "closed" -> false;
      default -> throw new BadParameter("state: expected open or closed, got \"" + state + "\"");
    };
  }

  /** The page, and where the next one starts (the time of its last item) when this one is full. */
  private static <T> JsonObject paged(List<T> items, Page page, Function<T, JsonObject> toJson,
                                      Function<T, Instant> time) {
    Instant next = items.size() == page.limit() ? time.apply(items.get(items.size() - 1)) : null;
    return new JsonObject().put("items", HistoryJson.array(items, toJson)).put("next", HistoryJson.text(next));
  }
}
