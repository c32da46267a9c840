package dev.vigil.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vigil.slack.CommandParser;
import dev.vigil.slack.RequestVerifier;
import dev.vigil.slack.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
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
 * Slash commands and button clicks as Slack would send them (signed) and as an attacker might
 * (unsigned, re-signed wrongly, replayed): the parser answers every text with a command or a usage
 * message, a signed request always gets Slack's 200 (or a 400 naming a broken payload), anything
 * not signed by Slack gets 401, and nothing ends as an unhandled error.
 */
class SlackFuzzTest {
  static final String SECRET = "fuzz-signing-secret";

  /**
   * Answers for delayed replies go here: not a Slack host, so Vigil refuses to post them and they
   * never leave this machine.
   */
  static final String RESPONSE_URL = "http://127.0.0.1:9/response";

  static final AtomicLong nonce = new AtomicLong();
  static FuzzDaemon d;

  @BeforeContainer
  static void start() {
    d = FuzzDaemon.start("slack: {signingSecret: " + SECRET + "}\n");
  }

  @AfterContainer
  static void stop() {
    d.close();
  }

  /**
   * Text after {@code /vigil}: a real verb or not, followed by words that are sometimes right and
   * often odd.
   */
  @Provide
  Arbitrary<String> commandTexts() {
    Arbitrary<String> verb =
        Arbitraries.oneOf(
            Arbitraries.of(
                "help",
                "list",
                "ls",
                "show",
                "ack",
                "acknowledge",
                "resolve",
                "snooze",
                "escalate",
                "oncall",
                "who",
                "run",
                "approve",
                "reject",
                "override",
                "SNOOZE"),
            Arbitraries.strings().all().ofMaxLength(8));
    Arbitrary<String> word =
        Arbitraries.oneOf(
            Arbitraries.of(
                "INC-1",
                "inc-1",
                "1",
                "0",
                "INC-0",
                "INC-99999999999999999999",
                "RUN-7",
                "RUN-0",
                "eu",
                "us",
                "2h",
                "30m",
                "0s",
                "99999999999999999999d",
                "106751991167300d",
                "9223372036854775807ms",
                "1h30m",
                "+2h",
                "-2h",
                "14:00",
                "25:99",
                "9:5",
                "2026-11-29T03:00:00Z",
                "+999999999-12-31T23:59:59Z",
                "-999999999-01-01T00:00:00Z",
                "\u0000",
                "`",
                "<!channel>",
                "*bold*"),
            Arbitraries.strings().all().ofMaxLength(20),
            Arbitraries.strings().numeric().ofMaxLength(30).map(n -> n + "d"));
    return Combinators.combine(
            verb, word.list().ofMaxSize(4), Arbitraries.of(" ", "  ", "\t", "\n", "\u00a0"))
        .as((v, ws, sep) -> v + sep + String.join(sep, ws));
  }

  @Property(tries = 2000, seed = "42")
  void everyTextIsACommandOrAUsageMessage(@ForAll("commandTexts") String text) {
    CommandParser parser =
        new CommandParser(Clock.fixed(Instant.parse("2026-11-30T06:00:00Z"), ZoneOffset.UTC));
    try {
      assertThat(parser.parse(text)).isNotNull();
    } catch (Usage u) {
      assertThat(u.getMessage()).isNotBlank();
    }
  }

  @Example
  void absurdDurationsAndTimesAreUsageErrors() {
    CommandParser parser = new CommandParser(Clock.systemUTC());
    for (String text :
        List.of(
            "snooze INC-1 106751991167300d",
            "override eu 99999999999999999999d",
            "oncall 106751991167300d",
            "oncall 3000000000000d",
            "snooze INC-1 9223372036854775807ms")) {
      assertThatThrownBy(() -> parser.parse(text))
          .as(text)
          .isInstanceOf(Usage.class)
          .hasMessageContaining("Usage: `/vigil");
    }
  }

  @Property(tries = 120, seed = "42")
  void signedCommandsAlwaysGetAnAnswerForTheCaller(
      @ForAll("commandTexts") String text, @ForAll("users") String user) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("user_id", user);
    f.put("command", "/vigil");
    f.put("text", text);
    f.put("response_url", RESPONSE_URL);
    f.put("trigger_id", Long.toString(nonce.incrementAndGet()));
    HttpResponse<String> r = signed("/slack/commands", form(f));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("text")).isNotBlank();
    assertThat(d.log.bugs()).isEmpty();
  }

  @Provide
  Arbitrary<String> users() {
    return Arbitraries.oneOf(
        Arbitraries.of("U1", "", "ULEAD"), Arbitraries.strings().all().ofMaxLength(10));
  }

  /**
   * A block_actions payload with any part missing or of the wrong type, or a payload that is not
   * one at all.
   */
  @Provide
  Arbitrary<String> payloads() {
    Arbitrary<Object> junk =
        Arbitraries.oneOf(
            Arbitraries.strings().all().ofMaxLength(10).map(s -> (Object) s),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.just(new JsonArray().add("x")),
            Arbitraries.just(new JsonObject()),
            Arbitraries.just((Object) null));
    Arbitrary<Object> action =
        Arbitraries.oneOf(
            junk,
            Combinators.combine(
                    Arbitraries.oneOf(
                        Arbitraries.of(
                            "ack",
                            "acknowledge",
                            "resolve",
                            "run",
                            "run_runbook",
                            "approve",
                            "reject"),
                        junk),
                    Arbitraries.oneOf(
                        Arbitraries.of("INC-1", "cpu INC-1", "RUN-1", "", "INC-1 extra"), junk))
                .as((id, value) -> new JsonObject().put("action_id", id).put("value", value)));
    Arbitrary<Object> user =
        Arbitraries.oneOf(junk, Arbitraries.of("U1", "").map(id -> new JsonObject().put("id", id)));
    Arbitrary<Object> type =
        Arbitraries.oneOf(
            junk, Arbitraries.of("block_actions", "view_submission").map(t -> (Object) t));
    Arbitrary<String> json =
        Combinators.combine(
                type,
                user,
                Arbitraries.oneOf(junk, action.list().ofMaxSize(2).map(JsonArray::new)),
                junk,
                junk)
            .as(
                (t, u, actions, channel, container) ->
                    new JsonObject()
                        .put("type", t)
                        .put("user", u)
                        .put("actions", actions)
                        .put("channel", channel)
                        .put("container", container)
                        .put("response_url", RESPONSE_URL)
                        .encode());
    return Arbitraries.oneOf(
        json,
        Arbitraries.of("", "null", "[]", "[1]", "1", "\"x\"", "{", "{\"type\":1}"),
        Arbitraries.strings().all().ofMaxLength(30));
  }

  @Property(tries = 150, seed = "42")
  void signedClicksAreAcknowledgedOrRefusedAsBroken(@ForAll("payloads") String payload) {
    HttpResponse<String> r =
        signed(
            "/slack/interactions",
            form(Map.of("payload", payload, "nonce", Long.toString(nonce.incrementAndGet()))));
    assertThat(r.statusCode()).as(r.body()).isIn(200, 400);
    if (r.statusCode() == 400) {
      assertThat(new JsonObject(r.body()).getString("error"))
          .isIn(
              "payload: not a JSON object",
              "payload: a block_actions payload needs user.id and actions[0].action_id");
    }
    // the work after the acknowledgement has failed or finished by the time the next request is
    // handled on this loop
    signed(
        "/slack/commands",
        form(
            Map.of(
                "user_id", "U1", "text", "help", "nonce", Long.toString(nonce.incrementAndGet()))));
    assertThat(d.log.bugs()).isEmpty();
  }

  /** How a request can fail to be Slack's: each is refused with 401 and no detail. */
  enum Forgery {
    NO_SIGNATURE,
    NO_TIMESTAMP,
    WRONG_SECRET,
    BODY_CHANGED,
    OLD,
    FUTURE,
    GARBAGE_TIMESTAMP,
    UPPER_CASE_HEX,
    REPLAYED
  }

  @Property(tries = 100, seed = "42")
  void anythingNotSignedBySlackIs401(
      @ForAll Forgery forgery, @ForAll("commandTexts") String text, @ForAll boolean interaction) {
    String path = interaction ? "/slack/interactions" : "/slack/commands";
    String body =
        form(
            Map.of(
                "user_id",
                "U1",
                "text",
                text,
                "payload",
                "{\"type\":\"none\"}",
                "nonce",
                Long.toString(nonce.incrementAndGet())));
    long now = Instant.now().getEpochSecond();
    String ts =
        switch (forgery) {
          case OLD -> Long.toString(now - 301);
          case FUTURE ->
              Long.toString(
                  now + 310); // not 301: the daemon reads its clock a moment later, maybe in the
          // next second (RequestVerifierTest holds the exact edge)
          case GARBAGE_TIMESTAMP -> "12e3";
          default -> Long.toString(now);
        };
    String sig =
        RequestVerifier.sign(
            forgery == Forgery.WRONG_SECRET ? SECRET + "x" : SECRET,
            ts,
            body.getBytes(StandardCharsets.UTF_8));
    if (forgery == Forgery.UPPER_CASE_HEX) {
      sig = "v0=" + sig.substring(3).toUpperCase();
    }
    if (forgery == Forgery.REPLAYED) {
      assertThat(post(path, body, ts, sig).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> r =
        post(
            path,
            forgery == Forgery.BODY_CHANGED ? body + "&x=1" : body,
            forgery == Forgery.NO_TIMESTAMP ? null : ts,
            forgery == Forgery.NO_SIGNATURE ? null : sig);
    assertThat(r.statusCode()).as(forgery + ": " + r.body()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\"}");
  }

  static String form(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  static HttpResponse<String> signed(String path, String body) {
    String ts = Long.toString(Instant.now().getEpochSecond());
    return post(
        path, body, ts, RequestVerifier.sign(SECRET, ts, body.getBytes(StandardCharsets.UTF_8)));
  }

  static HttpResponse<String> post(String path, String body, String ts, String signature) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(d.daemon.url(path)))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (ts != null) {
      b.header(RequestVerifier.TIMESTAMP, ts);
    }
    if (signature != null) {
      b.header(RequestVerifier.SIGNATURE, signature);
    }
    try {
      return d.daemon.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(path + ": " + e, e);
    }
  }
}
