package dev.vigil.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.fake.NotifyConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The operator API's request bodies and ids, wrong in type, size and shape: every answer is a 2xx
 * or a 4xx with a message, never a 5xx, and nothing in the log is a bug.
 */
class ApiFuzzTest {
  static FuzzDaemon d;

  @BeforeContainer
  static void start() throws Exception {
    d = FuzzDaemon.start("", ""); // one team, eu, so overrides have something to name
    assertThat(
            d.daemon
                .post("/api/v1/alerts/alertmanager", NotifyConfig.criticalWebhook("Fuzz"))
                .statusCode())
        .isEqualTo(202);
  }

  @AfterContainer
  static void stop() {
    d.close();
  }

  static Arbitrary<Object> value() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.of(
                "eu",
                "us",
                "2h",
                "0s",
                "-1h",
                "106751991167300d",
                "99999999999999999999d",
                "2026-11-29T03:00:00Z",
                "+999999999-12-31T23:59:59Z",
                "INC-1",
                "RUN-1",
                "",
                "alice")
            .map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.doubles().map(x -> (Object) x),
        Arbitraries.just((Object) null),
        Arbitraries.just(new JsonArray().add("x")),
        Arbitraries.just(new JsonObject().put("a", 1)),
        Arbitraries.of(true, false).map(b -> (Object) b));
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> object =
        Arbitraries.maps(
                Arbitraries.of(
                    "team", "duration", "from", "until", "by", "reason", "text", "incident", "x"),
                value())
            .ofMaxSize(5)
            .map(m -> new JsonObject(new LinkedHashMap<>(m)).encode());
    return Arbitraries.oneOf(
        object,
        Arbitraries.of("", "null", "[]", "1", "\"x\"", "{", "{}", "{\"by\": {\"by\": []}}"));
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> id =
        Arbitraries.oneOf(
            Arbitraries.of(
                "INC-1",
                "INC-2",
                "1",
                "INC-0",
                "INC-99999999999999999999",
                "RUN-1",
                "%00",
                "..",
                "x".repeat(300)),
            Arbitraries.strings().alpha().numeric().ofMaxLength(12));
    return Combinators.combine(
            Arbitraries.of(
                "POST /api/v1/incidents/%s/acknowledge",
                "POST /api/v1/incidents/%s/resolve",
                "POST /api/v1/incidents/%s/notes",
                "POST /api/v1/incidents/%s/escalate",
                "POST /api/v1/overrides",
                "DELETE /api/v1/overrides/%s",
                "POST /api/v1/runbooks/%s/runs",
                "POST /api/v1/runs/%s/approve",
                "POST /api/v1/runs/%s/reject",
                "GET /api/v1/runs/%s",
                "GET /api/v1/incidents/%s",
                "GET /api/v1/incidents?limit=%s",
                "GET /api/v1/incidents?status=%s",
                "GET /api/v1/oncall?at=%s",
                "GET /api/v1/stats?since=%s",
                "GET /api/v1/runbooks/%s/graph"),
            id)
        .as((route, i) -> route.replace("%s", i));
  }

  @Property(tries = 200, seed = "42")
  void everyRequestIsAnsweredWith2xxOr4xxAndAMessage(
      @ForAll("paths") String route, @ForAll("bodies") String body) {
    String[] mp = route.split(" ", 2);
    HttpResponse<String> r =
        switch (mp[0]) {
          case "GET" -> d.daemon.get(mp[1]);
          default -> send(mp[0], mp[1], body);
        };
    assertThat(r.statusCode()).as(route + " " + body + " -> " + r.body()).isBetween(200, 499);
    if (r.statusCode() >= 400) {
      assertThat(new JsonObject(r.body()).getString("error")).as(route).isNotBlank();
    }
    assertThat(d.log.bugs()).as(route + " " + body).isEmpty();
  }

  @Example
  void anAbsurdOverrideDurationIsA400() {
    HttpResponse<String> r =
        d.daemon.post(
            "/api/v1/overrides", "{\"team\": \"eu\", \"duration\": \"106751991167300d\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(r.body()).getString("error"))
        .isEqualTo("duration: duration \"106751991167300d\" is too long (at most 36500d)");
  }

  static HttpResponse<String> send(String method, String path, String body) {
    var b =
        HttpRequest.newBuilder(URI.create(d.daemon.url(path)))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    try {
      return d.daemon.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + ": " + e, e);
    }
  }
}
