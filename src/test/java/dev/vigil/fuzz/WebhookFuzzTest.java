package dev.vigil.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.ingest.AlertParser;
import dev.vigil.web.BadRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
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
 * Alert bodies that are wrong in every way we could think of, generated and hand-written, against
 * the parser and against a real daemon: each gets 202 or a 4xx whose message names what is wrong,
 * never a 5xx and never an unhandled error in the log.
 */
class WebhookFuzzTest {
  static final String HOOK = "/api/v1/alerts/alertmanager";
  static final long LIMIT = 4L * 1024 * 1024;
  static FuzzDaemon d;

  @BeforeContainer
  static void start() {
    d = FuzzDaemon.start("server: {host: 127.0.0.1, port: 0, maxBodyBytes: " + LIMIT + "}\n");
  }

  @AfterContainer
  static void stop() {
    d.close();
  }

  // ---- generated bodies

  /**
   * A value that is sometimes right (a string) and often not: numbers, lists, objects, null, odd
   * text.
   */
  static Arbitrary<Object> anyValue() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.strings().all().ofMaxLength(40).map(s -> (Object) s)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().map(i -> (Object) i)),
        net.jqwik.api.Tuple.of(1, Arbitraries.doubles().map(x -> (Object) x)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(new JsonArray().add(1)).map(a -> (Object) a)),
        net.jqwik.api.Tuple.of(
            1, Arbitraries.just(new JsonObject().put("x", "y")).map(o -> (Object) o)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.of(
                    "",
                    "2026-11-29T05:36:32Z",
                    "0001-01-01T00:00:00Z",
                    "firing",
                    "resolved",
                    "+999999999-12-31T23:59:59Z",
                    "2026-13-45T99:99:99Z",
                    "\ud800",
                    "\u0000")
                .map(s -> (Object) s)));
  }

  /** Mostly well-formed values for a key, wrong ones one time in five. */
  static Arbitrary<Object> field(Arbitrary<?> good) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, good.map(g -> (Object) g)),
        net.jqwik.api.Tuple.of(1, anyValue()));
  }

  static Arbitrary<JsonObject> labels() {
    return Arbitraries.maps(
            Arbitraries.strings().all().ofMaxLength(12),
            field(Arbitraries.strings().alpha().ofMaxLength(10)))
        .ofMaxSize(6)
        .map(m -> new JsonObject(new LinkedHashMap<>(m)));
  }

  static Arbitrary<JsonObject> alert() {
    return Combinators.combine(
            field(Arbitraries.of("firing", "resolved")),
            field(labels()),
            field(labels()),
            field(Arbitraries.just("2026-11-29T05:36:32Z")),
            field(Arbitraries.just("0001-01-01T00:00:00Z")),
            field(Arbitraries.strings().numeric().ofLength(16)))
        .as(
            (status, labels, annotations, startsAt, endsAt, fp) ->
                new JsonObject()
                    .put("status", status)
                    .put("labels", labels)
                    .put("annotations", annotations)
                    .put("startsAt", startsAt)
                    .put("endsAt", endsAt)
                    .put("fingerprint", fp));
  }

  static Arbitrary<JsonObject> webhook() {
    return Combinators.combine(
            field(Arbitraries.just("4")),
            field(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20)),
            field(labels()),
            field(alert().list().ofMaxSize(4).map(JsonArray::new)))
        .as(
            (version, groupKey, common, alerts) ->
                new JsonObject()
                    .put("version", version)
                    .put("groupKey", groupKey)
                    .put("status", "firing")
                    .put("receiver", "vigil")
                    .put("commonLabels", common)
                    .put("alerts", alerts));
  }

  /**
   * The encoded webhook, sometimes broken at the byte level: cut short, a stray byte, a key given
   * twice.
   */
  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> encoded = webhook().map(w -> w.encode().getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(
        encoded,
        Combinators.combine(encoded, Arbitraries.doubles().between(0, 1))
            .as((b, at) -> Arrays.copyOf(b, (int) (b.length * at))),
        Combinators.combine(encoded, Arbitraries.doubles().between(0, 1), Arbitraries.bytes())
            .as(WebhookFuzzTest::insert),
        encoded.map(
            b ->
                new String(b, StandardCharsets.UTF_8)
                    .replaceFirst("\"version\":", "\"version\":\"4\",\"version\":")
                    .getBytes(StandardCharsets.UTF_8)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
  }

  static byte[] insert(byte[] b, double at, byte x) {
    int i = (int) (b.length * at);
    byte[] out = new byte[b.length + 1];
    System.arraycopy(b, 0, out, 0, i);
    out[i] = x;
    System.arraycopy(b, i, out, i + 1, b.length - i);
    return out;
  }

  @Property(tries = 1000, seed = "42")
  void theParserReturnsAlertsOrSaysWhatIsWrong(@ForAll("bodies") byte[] body) {
    try {
      assertThat(AlertParser.webhook(body)).isNotNull();
      assertThat(AlertParser.alertList(body, Instant.EPOCH)).isNotNull();
    } catch (BadRequest e) {
      // "field.path: what is wrong", short enough to read even when the request quoted in it is not
      assertThat(e.getMessage())
          .matches("(?s)(body|version|groupKey|commonLabels|alerts|\\[\\d+]).*: .+")
          .hasSizeLessThan(400);
    }
  }

  @Property(tries = 150, seed = "42")
  void theDaemonAnswers202Or400WithAMessage(@ForAll("bodies") byte[] body) {
    HttpResponse<String> r = post(HOOK, body, "application/json");
    assertThat(r.statusCode()).as(r.body()).isIn(202, 400);
    if (r.statusCode() == 400) {
      assertThat(new JsonObject(r.body()).getString("error")).isNotBlank();
    }
    assertThat(d.log.bugs()).isEmpty();
  }

  // ---- hand-written nasty cases

  @Example
  void hundredThousandLabelsAreRefusedByName() {
    JsonObject labels = new JsonObject();
    for (int i = 0; i < 100_000; i++) {
      labels.put("l" + i, "v");
    }
    JsonObject hook =
        new JsonObject()
            .put("version", "4")
            .put("groupKey", "g")
            .put(
                "alerts",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("status", "firing")
                            .put("labels", labels)
                            .put("startsAt", "2026-11-29T05:36:32Z")));
    assertError(
        post(HOOK, hook.encode().getBytes(StandardCharsets.UTF_8), "application/json"),
        400,
        "alerts[0].labels: 100000 entries; at most 1000 are accepted per alert");
  }

  @Example
  void aHugeArrayOfNonAlertsNamesTheFirstBadElement() {
    String zeros = "0,".repeat(1_000_000) + "0";
    assertError(
        post(
            HOOK,
            ("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[" + zeros + "]}")
                .getBytes(StandardCharsets.UTF_8),
            "application/json"),
        400,
        "alerts[0]: expected an object, got the number 0");
  }

  @Example
  void deepNestingIsRefusedBeforeItIsBuilt() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertError(
        post(
            HOOK,
            ("{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":" + deep + "}")
                .getBytes(StandardCharsets.UTF_8),
            "application/json"),
        400,
        "body: malformed JSON: Document nesting depth (65) exceeds the maximum allowed (64");
    assertError(
        post("/api/v1/alerts", deep.getBytes(StandardCharsets.UTF_8), "application/json"),
        400,
        "nesting depth");
  }

  @Example
  void invalidUtf8IsRefused() {
    byte[] body =
        "{\"version\":\"4\",\"groupKey\":\"g\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    assertError(post(HOOK, body, "application/json"), 400, "body: not valid UTF-8 at byte 28 (FF)");
  }

  @Example
  void aNumberWhereAStringBelongsIsNamed() {
    String body =
        "{\"version\":\"4\",\"groupKey\":\"g\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":1},"
            + "\"startsAt\":\"2026-11-29T05:36:32Z\"}]}";
    assertError(
        post(HOOK, body.getBytes(StandardCharsets.UTF_8), "application/json"),
        400,
        "alerts[0].labels.alertname: expected a string, got the number 1");
    assertError(
        post(HOOK, "{\"version\":4}".getBytes(StandardCharsets.UTF_8), "application/json"),
        400,
        "version: expected \"4\", got \"4\"");
  }

  @Example
  void aDuplicateKeyIsRefused() {
    assertError(
        post(
            HOOK,
            "{\"version\":\"4\",\"version\":\"4\"}".getBytes(StandardCharsets.UTF_8),
            "application/json"),
        400,
        "Duplicate field 'version'");
  }

  @Example
  void aBodyOverTheLimitIs413EvenWithoutContentLength() {
    byte[] chunk = new byte[64 * 1024];
    Arrays.fill(chunk, (byte) ' ');
    int chunks = (int) (LIMIT / chunk.length) + 2;
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(d.daemon.url(HOOK)))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () ->
                        new SequenceInputStream(
                            Collections.enumeration(
                                Collections.nCopies(chunks, chunk).stream()
                                    .map(ByteArrayInputStream::new)
                                    .toList()))))
            .timeout(Duration.ofSeconds(30))
            .build();
    assertError(
        send(req), 413, "body too large: the limit is " + LIMIT + " bytes (server.maxBodyBytes)");
  }

  @Example
  void wrongContentTypeAndEmptyBodiesAreNamed() {
    assertError(
        post(
            HOOK,
            "version=4".getBytes(StandardCharsets.UTF_8),
            "application/x-www-form-urlencoded"),
        415,
        "Content-Type must be application/json");
    assertError(post(HOOK, new byte[0], "application/json"), 400, "body: empty; expected JSON");
    assertError(
        post(HOOK, "null".getBytes(StandardCharsets.UTF_8), "application/json"),
        400,
        "body: expected a JSON object");
  }

  static void assertError(HttpResponse<String> r, int status, String says) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(new JsonObject(r.body()).getString("error")).contains(says);
    assertThat(d.log.bugs()).isEmpty();
  }

  static HttpResponse<String> post(String path, byte[] body, String type) {
    return send(
        HttpRequest.newBuilder(URI.create(d.daemon.url(path)))
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(30))
            .build());
  }

  static HttpResponse<String> send(HttpRequest req) {
    try {
      return d.daemon.http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(req.uri() + ": " + e, e);
    }
  }
}
