package dev.vigil.runbook.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.Values;
import dev.vigil.runbook.RenderedAction;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code http} step: one request through Vert.x WebClient. The response body is kept up to
 * {@link #BODY_CAP} bytes (the rest is read and dropped); a JSON body is also parsed into
 * {@code output.json}. A status outside {@code expectStatus} (default: any 2xx) fails the try, with
 * the response still in the output.
 */
public final class HttpAction implements Action {
  public static final int BODY_CAP = 256 * 1024;
  /** Without a step timeout a request is still bounded, so a hung server cannot hold a socket forever. */
  static final Duration DEFAULT_LIMIT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebClient client;

  public HttpAction(WebClient client) {
    this.client = client;
  }

  @Override
  public String kind() {
    return "http";
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt) {
    RenderedAction.HttpCall call = (RenderedAction.HttpCall) attempt.action();
    return request(call, attempt.timeout().orElse(DEFAULT_LIMIT), attempt.traceHeaders()).map(r -> {
      if (!expected(call.expectStatus(), ((Number) r.get("status")).intValue())) {
        return StepOutcome.failed("HTTP " + r.get("status") + " from " + call.method() + " " + call.url()
            + " (expected " + (call.expectStatus().isEmpty() ? "2xx" : call.expectStatus()) + ")", r);
      }
      return StepOutcome.done(r);
    }).recover(e -> Future.succeededFuture(StepOutcome.failed(call.method() + " " + call.url() + " failed: " + e.getMessage(), Map.of())));
  }

  static boolean expected(List<Integer> expect, int status) {
    return expect.isEmpty() ? status / 100 == 2 : expect.contains(status);
  }

  /**
   * Sends {@code call} with the trace headers (the runbook's own headers win); the future holds the
   * response as {@code output} (status, headers, body, json).
   */
  Future<Map<String, Object>> request(RenderedAction.HttpCall call, Duration limit, Map<String, String> trace) {
    CappedBody body = new CappedBody(BODY_CAP);
    HttpRequest<Void> req = client.requestAbs(HttpMethod.valueOf(call.method()), call.url()).as(BodyCodec.pipe(body))
        .timeout(limit.toMillis());
    trace.forEach(req::putHeader);
    call.headers().forEach(req::putHeader);
    Future<io.vertx.ext.web.client.HttpResponse<Void>> sent;
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
    String text = body.kept().toString(java.nio.charset.StandardCharsets.UTF_8);
    Object json = null;
    if (!body.truncated()) {
      String t = text.strip();
      if (t.startsWith("{") || t.startsWith("[")) {
        try {
          json = Values.plain(JSON.readValue(t, Object.class));
        } catch (java.io.IOException notJson) {
          json = null;
        }
      }
    }
    return Bindings.httpResponse(status, h, text, json);
  }
}
