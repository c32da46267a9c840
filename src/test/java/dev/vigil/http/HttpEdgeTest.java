package dev.vigil.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.vigil.LogCapture;
import dev.vigil.RawHttp;
import dev.vigil.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request gets an answer, and a malformed one a 4xx that names the problem: extreme times,
 * missing or malformed Host, bodies marked gzip that are not, pipelined requests, JSON bodies that
 * are not exactly one UTF-8 document. Raw sockets where a client library would fix the request.
 */
class HttpEdgeTest {
  static final String HOOK = "/api/v1/alerts/alertmanager";

  @TempDir Path dir;

  @Test
  void anOnCallTimeOutsideTheSupportedRangeIs400NamingTheParameter() {
    try (TestDaemon d = TestDaemon.start(dir, "")) {
      for (String at :
          List.of(
              "%2B999999999-12-31T23:59:59Z",
              "-999999999-01-01T00:00:00Z", "%2B10000-01-01T00:00:00Z")) {
        HttpResponse<String> r = d.get("/api/v1/oncall?at=" + at);
        assertThat(r.statusCode()).as(at).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("error"))
            .as(at)
            .startsWith("at: ")
            .contains("outside the supported range");
      }
      try (RawHttp raw = new RawHttp(d.daemon.port())) { // the '+' as the report sent it, unencoded
        RawHttp.Response r =
            raw.send("GET /api/v1/oncall?at=+999999999-12-31T23:59:59Z HTTP/1.1\r\nHost: x\r\n\r\n")
                .read();
        assertThat(r.status()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("error")).startsWith("at: ");
      }
      assertThat(d.get("/api/v1/oncall?at=9999-12-31T00:00:00Z").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aMissingOrMalformedHostIs400() {
    try (TestDaemon d = TestDaemon.start(dir, "");
        LogCapture log = new LogCapture(Level.INFO)) {
      for (String host : List.of("", "Host: [::1\r\n", "Host: a b\r\n", "Host: x:99999999\r\n")) {
        try (RawHttp raw = new RawHttp(d.daemon.port())) {
          RawHttp.Response r = raw.send("GET /healthz HTTP/1.1\r\n" + host + "\r\n").read();
          assertThat(r.status()).as(host).isEqualTo(400);
          assertThat(new JsonObject(r.body()).getString("error"))
              .as(host)
              .startsWith("Host header: ");
        }
      }
      assertThat(log.errors()).isEmpty();
    }
  }

  @Test
  void aBodyMarkedGzipIs415BeforeItIsReadWhetherOrNotItIsGzip() {
    try (TestDaemon d = TestDaemon.start(dir, "");
        LogCapture log = new LogCapture(Level.INFO)) {
      for (String encoding : List.of("gzip", "deflate", "br", "x-made-up")) {
        try (RawHttp raw = new RawHttp(d.daemon.port())) {
          RawHttp.Response r =
              raw.send(
                      "POST "
                          + HOOK
                          + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          + "Content-Encoding: "
                          + encoding
                          + "\r\nContent-Length: 10000000\r\n\r\nnot gzip!!")
                  .read();
          assertThat(r.status()).as(encoding).isEqualTo(415);
          assertThat(new JsonObject(r.body()).getString("error"))
              .isEqualTo(
                  "Content-Encoding \""
                      + encoding
                      + "\" is not accepted: send the body uncompressed");
          assertThat(raw.closedByServer()).as("the rest of the body is not waited for").isTrue();
        }
      }
      assertThat(log.errors()).isEmpty();
    }
  }

  @Test
  void twoPipelinedRequestsAreBothAnsweredInOrder() {
    String alert = TestDaemon.resource("webhooks/webhook-v4-1alert.json");
    byte[] body = alert.getBytes(StandardCharsets.UTF_8);
    try (TestDaemon d = TestDaemon.start(dir, "");
        RawHttp raw = new RawHttp(d.daemon.port())) {
      raw.send(
          "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/incidents HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(raw.read().body()).isEqualTo("{\"status\":\"ok\"}");
      assertThat(raw.read().body()).startsWith("{\"incidents\":");

      // refused requests, with a small body or none, do not lose the requests behind them
      raw.send(
          "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
              + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(raw.read().status()).isEqualTo(404);
      assertThat(raw.read().status()).isEqualTo(404);
      assertThat(raw.read().status()).isEqualTo(200);

      // a POST with a body, then a GET, written at once
      raw.send(
          "POST "
              + HOOK
              + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\n\r\n"
              + new String(body, StandardCharsets.ISO_8859_1)
              + "GET /api/v1/incidents/INC-1 HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response first = raw.read();
      assertThat(first.status()).as(first.body()).isEqualTo(202);
      RawHttp.Response second = raw.read();
      assertThat(second.status()).as(second.body()).isEqualTo(200);
      assertThat(new JsonObject(second.body()).getString("id")).isEqualTo("INC-1");
    }
  }

  @Test
  void webhookAndApiBodiesAreExactlyOneUtf8JsonDocument() {
    String one = TestDaemon.resource("webhooks/webhook-v4-1alert.json").trim();
    try (TestDaemon d = TestDaemon.start(dir, "");
        LogCapture log = new LogCapture(Level.INFO)) {
      assertError(
          post(d, HOOK, (one + " garbage").getBytes(StandardCharsets.UTF_8)),
          "body: unexpected data after the JSON document");
      assertError(
          post(d, HOOK, (one + one).getBytes(StandardCharsets.UTF_8)),
          "body: a second JSON value after the first");
      assertError(
          post(d, HOOK, (one + "\n{}").getBytes(StandardCharsets.UTF_8)),
          "body: a second JSON value after the first at line 2");
      byte[] overlong =
          "{\"version\":\"4\",\"groupKey\":\"a\u0001b\"}".getBytes(StandardCharsets.UTF_8);
      overlong[29] = (byte) 0xC0; // C0 AF: an overlong '/'
      overlong[30] = (byte) 0xAF;
      assertError(post(d, HOOK, overlong), "body: not valid UTF-8 at byte 29 (C0)");
      assertError(
          post(d, HOOK, one.getBytes(StandardCharsets.UTF_16)),
          "body: UTF-16 (byte order mark FE FF)");
      assertError(
          post(d, HOOK, one.getBytes(StandardCharsets.UTF_16LE)),
          "body: NUL byte at byte 1 (UTF-16 or UTF-32?)");
      assertError(
          post(
              d,
              "/api/v1/overrides",
              "{\"team\":\"eu\",\"duration\":\"2h\"} {}".getBytes(StandardCharsets.UTF_8)),
          "body: a second JSON value after the first");
      assertError(
          post(
              d,
              "/api/v1/incidents/INC-1/notes",
              "{\"text\":\"x\"}]".getBytes(StandardCharsets.UTF_8)),
          "body: unexpected data after the JSON document");
      assertThat(post(d, HOOK, one.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(202);
      assertThat(log.errors()).isEmpty();
    }
  }

  static HttpResponse<String> post(TestDaemon d, String path, byte[] body) {
    try {
      return d.http.send(
          HttpRequest.newBuilder(URI.create(d.url(path)))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void assertError(HttpResponse<String> r, String says) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error")).startsWith(says);
  }
}
