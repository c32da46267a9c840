package dev.vigil.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Vigil's HTTP API as the terminal client calls it: blocking requests (a command does one thing and
 * waits for it), the API token as a Bearer header, JSON in and out. An error answer becomes a
 * {@link ClientException} carrying the server's own message ({@code {"error": "..."}}); no answer
 * (connection refused, timeout, reset) becomes one with {@link ClientException#UNREACHABLE}. Path
 * segments and query values are percent-encoded here, so an id typed by a person cannot change
 * which endpoint is called. A command uses its client from its own thread.
 */
public final class ApiClient {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI server;
  private final Optional<String> token;
  private final HttpClient http;

  /**
   * An answer: its status, its raw body (what {@code -o json} prints) and that body parsed (null
   * when empty).
   */
  public record Answer(int status, String body, JsonNode json) {}

  /**
   * @param server the base URL, e.g. {@code http://127.0.0.1:8080} (a path prefix is kept)
   */
  public ApiClient(URI server, Optional<String> token) {
    this.server = server;
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public URI server() {
    return server;
  }

  public Answer get(String path) {
    return send("GET", path, null);
  }

  public Answer post(String path, ObjectNode body) {
    return send("POST", path, body);
  }

  public Answer delete(String path) {
    return send("DELETE", path, null);
  }

  /** A JSON object to build a request body with. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** One path segment, percent-encoded: {@code ../x} stays a segment. */
  public static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code ?a=1&b=2} of the non-null values, encoded; empty when there are none. */
  public static String query(Map<String, ?> params) {
    Map<String, Object> present = new LinkedHashMap<>();
    params.forEach(
        (k, v) -> {
          if (v != null) {
            present.put(k, v);
          }
        });
    if (present.isEmpty()) {
      return "";
    }
    return "?"
        + present.entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + "="
                        + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
  }

  private Answer send(String method, String path, ObjectNode body) {
    URI uri = URI.create(stripSlash(server.toString()) + path);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(
              method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ClientException(
          ClientException.UNREACHABLE,
          "cannot reach "
              + server
              + " ("
              + describe(e)
              + "); set --server or VIGIL_SERVER to where Vigil listens");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException(
          ClientException.UNREACHABLE, "interrupted while waiting for " + server);
    }
    JsonNode json = parse(r.body());
    if (r.statusCode() / 100 != 2) {
      throw new ClientException(
          ClientException.REFUSED, errorMessage(method, path, r.statusCode(), r.body(), json));
    }
    if (json == null && !r.body().isEmpty()) {
      throw new ClientException(
          ClientException.REFUSED,
          method
              + " "
              + path
              + ": the answer is not JSON (is "
              + server
              + " a Vigil server?): "
              + oneLine(r.body()));
    }
    return new Answer(r.statusCode(), r.body(), json);
  }

  /**
   * The server's {@code error} message with the status; a body that is not Vigil's error shape is
   * shown cut to one line.
   */
  static String errorMessage(String method, String path, int status, String body, JsonNode json) {
    if (json != null && json.path("error").isTextual()) {
      return json.get("error").asText() + " (HTTP " + status + ")";
    }
    return "HTTP "
        + status
        + " from "
        + method
        + " "
        + path
        + (body.isBlank() ? "" : ": " + oneLine(body));
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String describe(IOException e) {
    String kind =
        e instanceof ConnectException
            ? "connection refused"
            : e instanceof HttpConnectTimeoutException
                ? "no connection within " + CONNECT_TIMEOUT.toSeconds() + "s"
                : e instanceof HttpTimeoutException
                    ? "no answer within " + REQUEST_TIMEOUT.toSeconds() + "s"
                    : e.getClass().getSimpleName();
    String m = e.getMessage();
    return m == null || m.isBlank() || kind.contains(m) ? kind : kind + ": " + oneLine(m);
  }

  private static String oneLine(String s) {
    String t = Text.clean(s.strip().replaceAll("\\s+", " "));
    return t.length() > 200 ? t.substring(0, 197) + "..." : t;
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
