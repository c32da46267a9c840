package dev.vigil.runbook.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.config.HostPattern;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.Values;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.impl.DefaultRedirectHandler;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP requests of {@code http} and {@code check} steps, through Vert.x WebClient. The response
 * body is kept up to {@link #BODY_CAP} bytes (the rest is read and dropped); a JSON body is also
 * parsed into {@code output.json}.
 *
 * <p>Where requests may go: only to hosts {@code runbooks.http.allow} admits (checked when the
 * runbook loads and again here, on the URL as rendered), and a redirect is followed only within the
 * same scheme, host and port; a redirect elsewhere is not followed and its 3xx is the answer.
 */
public final class HttpRequests {
  public static final int BODY_CAP = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebClient client;
  private final List<String> allow;

  /**
   * @param allow host patterns of {@code runbooks.http.allow}; empty: any host
   */
  public HttpRequests(WebClient client, List<String> allow) {
    this.client = client;
    this.allow = List.copyOf(allow);
  }

  /**
   * The client for runbook requests: a larger pool than Vert.x's default 5 connections per host
   * (many runs may call the same Prometheus), and redirects followed only to the same origin.
   */
  public static WebClient client(Vertx vertx) {
    RedirectHandler sameOrigin = new RedirectHandler();
    HttpClient http =
        vertx
            .httpClientBuilder()
            .with(new HttpClientOptions().setConnectTimeout(10_000))
            .with(new PoolOptions().setHttp1MaxSize(32))
            .withRedirectHandler(sameOrigin::apply)
            .build();
    return WebClient.wrap(http, new WebClientOptions().setUserAgent("vigil-runbook"));
  }

  /** Vert.x's own redirect rules, for a Location with the request's scheme, host and port only. */
  private static final class RedirectHandler {
    private final DefaultRedirectHandler rules = new DefaultRedirectHandler();

    Future<RequestOptions> apply(HttpClientResponse resp) {
      String location = resp.getHeader("Location");
      if (location == null) {
        return null;
      }
      try {
        URI from = URI.create(resp.request().absoluteURI());
        URI to = from.resolve(location);
        boolean same =
            from.getScheme().equalsIgnoreCase(String.valueOf(to.getScheme()))
                && from.getHost() != null
                && from.getHost().equalsIgnoreCase(to.getHost())
                && port(from) == port(to);
        return same
            ? rules.apply(resp)
            : null; // null: not followed, the 3xx is the step's response
      } catch (IllegalArgumentException badLocation) {
        return null;
      }
    }

    private static int port(URI u) {
      return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
  }

  /**
   * Sends {@code call} with the trace headers (the runbook's own headers win); the future holds the
   * response as {@code output} (status, headers, body, json).
   */
  public Future<Map<String, Object>> request(
      HttpStep.Call call, Duration limit, Map<String, String> trace) {
    String host = HostPattern.hostOf(call.url()).orElse("");
    if (!HostPattern.allows(allow, host)) {
      return Future.failedFuture(
          "host \""
              + host
              + "\" is not in runbooks.http.allow (allowed: "
              + String.join(", ", allow)
              + ")");
    }
    CappedBody body = new CappedBody(BODY_CAP);
    HttpRequest<Void> req =
        client
            .requestAbs(HttpMethod.valueOf(call.method()), call.url())
            .as(BodyCodec.pipe(body))
            .timeout(limit.toMillis());
    trace.forEach(req::putHeader);
    call.headers().forEach(req::putHeader);
    Future<HttpResponse<Void>> sent;
    if (call.body() == null) {
      sent = req.send();
    } else if (call.body() instanceof String s) {
      if (!call.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
        req.putHeader("Content-Type", "text/plain; charset=utf-8");
      }
      sent = req.sendBuffer(Buffer.buffer(s));
    } else {
      if (!call.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
        req.putHeader("Content-Type", "application/json");
      }
      sent = req.sendBuffer(Buffer.buffer(Values.json(call.body())));
    }
    return sent.map(resp -> output(resp.statusCode(), resp.headers(), body));
  }

  private static Map<String, Object> output(int status, MultiMap headers, CappedBody body) {
    Map<String, String> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> h.putIfAbsent(k.toLowerCase(), v));
    String text = body.kept().toString(StandardCharsets.UTF_8);
    Object json = null;
    if (!body.truncated()) {
      String t = text.strip();
      if (t.startsWith("{") || t.startsWith("[")) {
        try {
          json = Values.plain(JSON.readValue(t, Object.class));
        } catch (IOException notJson) {
          json = null;
        }
      }
    }
    return Bindings.httpResponse(status, h, text, json);
  }
}
