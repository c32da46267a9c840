package dev.vigil.http;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.vertx.core.http.HttpMethod;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The labels of Vert.x's HTTP metrics, each from a fixed set, so that no request can add a series:
 * {@code method} is one of {@link #METHODS} or {@code other} (every made-up method name used to add
 * series for good: 2,000 requests made {@code /metrics} 89 MB), and {@code route} is the path
 * template of the endpoint that answered ({@code /api/v1/incidents/:id}) or {@code other} for a
 * request that reached none (an unknown path, a refused token). {@code code} is the status Vigil
 * sent. The method is named before Micrometer sees the request, so even its id cache stays bounded.
 */
public final class HttpMetricLabels {
  static final Set<String> METHODS =
      Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
  static final String OTHER = "other";

  private HttpMetricLabels() {}

  /**
   * Vert.x's options with these labels: code and route from Vert.x, method through a tags provider.
   */
  public static MicrometerMetricsOptions apply(MicrometerMetricsOptions options) {
    return options
        .setLabels(
            EnumSet.of(
                Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE, Label.POOL_NAME, Label.EB_SIDE))
        .setServerRequestTagsProvider(req -> Tags.of(Tag.of("method", method(req.method()))))
        .setClientRequestTagsProvider(req -> Tags.of(Tag.of("method", method(req.method()))));
  }

  /**
   * Maps Vert.x's route label (every matched route's name, joined by {@code >}) to the endpoint's
   * template.
   */
  public static MeterFilter routes() {
    return MeterFilter.replaceTagValues(Label.HTTP_ROUTE.toString(), HttpMetricLabels::route);
  }

  static String method(HttpMethod m) {
    String name = m == null ? "" : m.name();
    return METHODS.contains(name) ? name : OTHER;
  }

  /**
   * The last matched route that is an endpoint: a path or template, not a prefix ({@code /api/*})
   * or a pattern (the token checks). Route names come from the code, never from the request.
   */
  static String route(String matched) {
    String[] names = matched.split(">");
    for (int i = names.length - 1; i >= 0; i--) {
      String n = names[i];
      if (n.startsWith("/") && n.indexOf('*') < 0 && n.indexOf('(') < 0) {
        return n;
      }
    }
    return OTHER;
  }
}
