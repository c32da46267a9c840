package dev.vigil.runbook.action;

import dev.cel.common.types.CelType;
import dev.vigil.config.Fields;
import dev.vigil.config.HostPattern;
import dev.vigil.config.Pos;
import dev.vigil.config.YamlNode;
import dev.vigil.expr.Bindings;
import dev.vigil.expr.EvalException;
import dev.vigil.expr.ExprTypes;
import dev.vigil.expr.Template;
import dev.vigil.expr.Template.Insertion;
import dev.vigil.expr.Values;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code http} step: one request ({@link HttpRequests}). A status outside {@code expectStatus}
 * (default: any 2xx) fails the try, with the response still in the output. The URL's host must be
 * written out and admitted by {@code runbooks.http.allow}, checked when the runbook loads and again
 * on the URL as rendered.
 */
public final class HttpStep implements StepKind {
  public static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /**
   * Without a step timeout a request is still bounded, so a hung server cannot hold a socket
   * forever.
   */
  static final Duration DEFAULT_LIMIT = Duration.ofMinutes(5);

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  @Override
  public String name() {
    return "http";
  }

  @Override
  public boolean readsSecrets() {
    return true;
  }

  @Override
  public CelType outputType() {
    return ExprTypes.HTTP_RESPONSE;
  }

  @Override
  public Map<String, Object> zeroOutput() {
    return Bindings.httpResponse(0, Map.of(), "", null);
  }

  @Override
  public Optional<Spec> parse(YamlNode node, SpecReader in) {
    Fields h = node.fields("method", "url", "headers", "body", "expectStatus");
    String method = h.oneOf("method", "GET", METHODS);
    Optional<Template> url = h.required("url").flatMap(u -> url(u, in));
    Map<String, Template> headers = new LinkedHashMap<>();
    h.get("headers")
        .ifPresent(
            hn ->
                hn.entries()
                    .forEach(
                        (k, v) -> {
                          if (!HEADER_NAME.matcher(k).matches()) {
                            v.error("\"" + k + "\" is not a header name");
                            return;
                          }
                          in.template(v).ifPresent(t -> headers.put(k, t));
                        }));
    Object body =
        h.get("body")
            .map(b -> b.isScalar() ? in.template(b).orElse(null) : json(b, in))
            .orElse(null);
    List<Integer> expect = new ArrayList<>();
    for (YamlNode s : h.items("expectStatus")) {
      s.integer(100, 599).ifPresent(v -> expect.add(v.intValue()));
    }
    h.get("expectStatus")
        .filter(YamlNode::isScalar)
        .ifPresent(n -> n.error("expected a list of status codes, e.g. [" + n.text() + "]"));
    return url.map(u -> new Spec(method, u, headers, body, expect, node.pos()));
  }

  /** An absolute http(s) URL whose host is written out and allowed. */
  private static Optional<Template> url(YamlNode u, SpecReader in) {
    Optional<String> s = u.string();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String v = s.get();
    if (!v.startsWith("http://") && !v.startsWith("https://")) {
      u.error("expected an http:// or https:// URL, got \"" + SpecReader.abbreviate(v) + "\"");
      return Optional.empty();
    }
    int hostStart = v.indexOf("://") + 3;
    int hostEnd = hostStart;
    while (hostEnd < v.length() && "/?#".indexOf(v.charAt(hostEnd)) < 0) {
      hostEnd++;
    }
    String authority = v.substring(hostStart, hostEnd);
    if (authority.contains("${{")) {
      in.errorAt(
          u,
          hostStart,
          "the host must be written out, not computed (an alert label must not choose where requests go)");
      return Optional.empty();
    }
    String host = HostPattern.hostOf(v).orElse(authority);
    if (!HostPattern.allows(in.httpAllow(), host)) {
      in.errorAt(
          u,
          hostStart,
          "host \""
              + host
              + "\" is not in runbooks.http.allow (allowed: "
              + String.join(", ", in.httpAllow())
              + ")");
      return Optional.empty();
    }
    return in.template(u);
  }

  /** A JSON body as written: maps, lists and literals, with templates at the leaves. */
  private static Object json(YamlNode n, SpecReader in) {
    if (n.isMap()) {
      Map<String, Object> out = new LinkedHashMap<>();
      n.entries().forEach((k, v) -> out.put(k, json(v, in)));
      return out;
    }
    if (n.isList()) {
      List<Object> out = new ArrayList<>();
      n.items().forEach(v -> out.add(json(v, in)));
      return out;
    }
    if (n.isNull()) {
      return null;
    }
    String s = n.text();
    if (Template.hasHoles(s)) {
      return in.template(n).orElse(null);
    }
    if (!in.quoted(n)) {
      if (s.equals("true") || s.equals("false")) {
        return Boolean.parseBoolean(s);
      }
      if (s.matches("-?(0|[1-9][0-9]{0,17})")) {
        return Long.parseLong(s);
      }
      if (s.matches("-?[0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?")) {
        return Double.parseDouble(s);
      }
    }
    return s;
  }

  @Override
  public Future<StepOutcome> perform(Attempt attempt, StepServices services) {
    Call call = (Call) attempt.action();
    return services
        .http()
        .request(call, attempt.timeout().orElse(DEFAULT_LIMIT), attempt.traceHeaders())
        .map(
            r -> {
              if (!expected(call.expectStatus(), ((Number) r.get("status")).intValue())) {
                return StepOutcome.failed(
                    "HTTP "
                        + r.get("status")
                        + " from "
                        + call.method()
                        + " "
                        + call.url()
                        + " (expected "
                        + (call.expectStatus().isEmpty() ? "2xx" : call.expectStatus())
                        + ")",
                    r);
              }
              return StepOutcome.done(r);
            })
        .recover(
            e ->
                Future.succeededFuture(
                    StepOutcome.failed(
                        call.method() + " " + call.url() + " failed: " + e.getMessage(),
                        Map.of())));
  }

  static boolean expected(List<Integer> expect, int status) {
    return expect.isEmpty() ? status / 100 == 2 : expect.contains(status);
  }

  /**
   * An HTTP request. {@code body} is null, a {@link Template} (sent as text), or a JSON tree of
   * maps, lists, literals and templates (sent as JSON; a template leaf becomes a JSON string unless
   * it is exactly one {@code ${{ }}}, which keeps its type).
   */
  public record Spec(
      String method,
      Template url,
      Map<String, Template> headers,
      Object body,
      List<Integer> expectStatus,
      Pos pos)
      implements StepSpec {
    public Spec {
      headers = Map.copyOf(headers);
      expectStatus = List.copyOf(expectStatus);
    }

    @Override
    public String kind() {
      return "http";
    }

    @Override
    public Call render(Renderer b) throws EvalException {
      Map<String, String> h = new LinkedHashMap<>();
      for (Map.Entry<String, Template> e : new TreeMap<>(headers).entrySet()) {
        h.put(e.getKey(), b.text(e.getValue(), Insertion.HEADER));
      }
      Object renderedBody =
          body instanceof Template t ? b.text(t, Insertion.TEXT) : renderJson(body, b);
      return new Call(method, b.text(url, Insertion.URL), h, renderedBody, expectStatus);
    }

    /** True when the body is sent as JSON. */
    public boolean jsonBody() {
      return body != null && !(body instanceof Template);
    }
  }

  /**
   * A request with every template filled in.
   *
   * @param body null, a String (sent as text) or a plain JSON value (sent as JSON)
   */
  public record Call(
      String method,
      String url,
      Map<String, String> headers,
      Object body,
      List<Integer> expectStatus)
      implements RenderedAction {
    @Override
    public String summary() {
      String b =
          body == null
              ? ""
              : " body " + (body instanceof String s ? Values.json(s) : Values.json(body));
      return method + " " + url + (headers.isEmpty() ? "" : " headers " + Values.json(headers)) + b;
    }
  }

  /** Renders a JSON body tree: templates at the leaves, keys and literals as written. */
  private static Object renderJson(Object node, StepSpec.Renderer b) throws EvalException {
    if (node == null) {
      return null;
    }
    if (node instanceof Template t) {
      return t.isSingleHole() ? b.value(t) : b.text(t, Insertion.TEXT);
    }
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put((String) e.getKey(), renderJson(e.getValue(), b));
      }
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) {
        out.add(renderJson(x, b));
      }
      return out;
    }
    return node;
  }
}
