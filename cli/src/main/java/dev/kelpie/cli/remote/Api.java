package dev.kelpie.cli.remote;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The coordinator's REST API (openapi.yaml) as the command line uses it: JSON both ways, as a script with
 * {@code Authorization: Bearer <token>}, or as a logged-in person with the session cookie and the CSRF header the
 * dashboard sends.
 */
public final class Api {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final String token;
  private final Map<String, String> cookies;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private Api(URI base, String token, Map<String, String> cookies) {
    this.base = base;
    this.token = token;
    this.cookies = new LinkedHashMap<>(cookies);
  }

  public static Api withToken(URI base, String token) {
    return new Api(base, token, Map.of());
  }

  public static Api withCookies(URI base, Map<String, String> cookies) {
    return new Api(base, null, cookies);
  }

  public URI base() {
    return base;
  }

  public Map<String, String> cookies() {
    return Map.copyOf(cookies);
  }

  public JsonObject get(String path) throws ApiException {
    return send("GET", path, null);
  }

  public JsonObject post(String path, JsonObject body) throws ApiException {
    return send("POST", path, body);
  }

  public JsonObject delete(String path) throws ApiException {
    return send("DELETE", path, null);
  }

  /** A path segment, escaped. */
  public static String segment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonObject send(String method, String path, JsonObject body) throws ApiException {
    if (token == null && !"GET".equals(method) && !cookies.containsKey("XSRF-TOKEN")) {
      send("GET", "/api/session", null);   // the CSRF cookie a session's POST and DELETE must echo
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
      .header("accept", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    } else if (!cookies.isEmpty()) {
      request.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("; ")));
      if (cookies.containsKey("XSRF-TOKEN")) {
        request.header("X-XSRF-TOKEN", cookies.get("XSRF-TOKEN"));
      }
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new ApiException(0, "unreachable", "cannot reach the coordinator at " + base + ": " + why
        + " (give its address with --url or KELPIE_URL)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted", "interrupted");
    }
    keepCookies(response.headers().allValues("set-cookie"));
    JsonObject json = parse(response.body());
    if (response.statusCode() >= 400) {
      throw new ApiException(response.statusCode(), json.getString("code", "error"),
        json.getString("message", response.body()));
    }
    return json;
  }

  private void keepCookies(List<String> setCookies) {
    for (String header : setCookies) {
      String pair = header.split(";", 2)[0];
      int equals = pair.indexOf('=');
      if (equals > 0) {
        cookies.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
      }
    }
  }

  private static JsonObject parse(String body) {
    if (body == null || body.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject().put("message", body.strip());
    }
  }
}
