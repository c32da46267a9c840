package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.RawHttp;
import dev.vigil.TestDaemon;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No request adds a series to {@code /metrics}: HTTP metrics label the method from a fixed set and
 * the route by the endpoint's template, with {@code other} for anything else. Every made-up method
 * name used to add series for good (2,000 requests made the scrape 89 MB).
 */
class HttpMetricsTest {
  @TempDir Path dir;

  @Test
  void madeUpMethodsAndUnknownPathsShareOneSeries() {
    try (TestDaemon d = TestDaemon.start(dir, "");
        RawHttp raw = new RawHttp(d.daemon.port())) {
      d.get("/metrics"); // its own series exist from here on
      oddRequests(raw, 0, 2);
      long before = series(d);
      oddRequests(raw, 2, 200);
      long after = series(d);

      assertThat(after).as("series after 198 more odd requests").isEqualTo(before);
      String metrics = d.get("/metrics").body();
      assertThat(metrics).doesNotContain("MADEUP").doesNotContain("/nope");
      assertThat(metrics).contains("method=\"other\"").contains("route=\"other\"");

      assertThat(d.get("/api/v1/incidents/INC-9").statusCode()).isEqualTo(404);
      assertThat(d.get("/metrics").body())
          .contains("route=\"/api/v1/incidents/:id\"")
          .doesNotContain("INC-9");
    }
  }

  /**
   * Requests {@code from} to {@code to}: even ones a made-up method, odd ones GET on a path no
   * route matches.
   */
  static void oddRequests(RawHttp raw, int from, int to) {
    for (int i = from; i < to; i++) {
      String line = i % 2 == 0 ? "MADEUP" + i + " /healthz" : "GET /nope/" + i;
      RawHttp.Response r = raw.send(line + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(404);
    }
  }

  static long series(TestDaemon d) {
    return d.get("/metrics").body().lines().filter(l -> l.startsWith("vertx_http_server_")).count();
  }
}
