package dev.vigil.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Secret;
import dev.vigil.slack.RequestVerifier.Rejection;
import dev.vigil.timer.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Slack's signing scheme, case by case, against a fixed clock. */
class RequestVerifierTest {
  static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
  static final Instant NOW = Instant.parse("2026-11-29T06:00:00Z");
  static final long T = NOW.getEpochSecond();
  static final String BODY =
      "token=x&team_id=T1&user_id=U1&command=%2Fvigil&text=ack+INC-1+%C3%A9&response_url=https%3A%2F%2Fhooks.slack.com%2Fx";

  static String sig(String secret, long ts, String body) {
    return RequestVerifier.sign(secret, Long.toString(ts), body.getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("signed now", Long.toString(T), sig(SECRET, T, BODY), BODY, null),
        Arguments.of("4m59s old", Long.toString(T - 299), sig(SECRET, T - 299, BODY), BODY, null),
        Arguments.of(
            "exactly 5m old", Long.toString(T - 300), sig(SECRET, T - 300, BODY), BODY, null),
        Arguments.of(
            "exactly 5m ahead", Long.toString(T + 300), sig(SECRET, T + 300, BODY), BODY, null),
        Arguments.of(
            "tampered body",
            Long.toString(T),
            sig(SECRET, T, BODY),
            BODY.replace("INC-1", "INC-2"),
            Rejection.BAD_SIGNATURE),
        Arguments.of(
            "wrong secret",
            Long.toString(T),
            sig("another-secret", T, BODY),
            BODY,
            Rejection.BAD_SIGNATURE),
        Arguments.of(
            "stale: 6m old",
            Long.toString(T - 360),
            sig(SECRET, T - 360, BODY),
            BODY,
            Rejection.STALE),
        Arguments.of(
            "future: 6m ahead",
            Long.toString(T + 360),
            sig(SECRET, T + 360, BODY),
            BODY,
            Rejection.FUTURE),
        Arguments.of(
            "signature of another timestamp",
            Long.toString(T),
            sig(SECRET, T - 1, BODY),
            BODY,
            Rejection.BAD_SIGNATURE),
        Arguments.of(
            "upper-case hex",
            Long.toString(T),
            "v0=" + sig(SECRET, T, BODY).substring(3).toUpperCase(),
            BODY,
            Rejection.BAD_SIGNATURE),
        Arguments.of(
            "no v0= prefix",
            Long.toString(T),
            sig(SECRET, T, BODY).substring(3),
            BODY,
            Rejection.BAD_SIGNATURE),
        Arguments.of(
            "truncated signature",
            Long.toString(T),
            sig(SECRET, T, BODY).substring(0, 40),
            BODY,
            Rejection.BAD_SIGNATURE),
        Arguments.of(
            "no timestamp header", null, sig(SECRET, T, BODY), BODY, Rejection.MISSING_HEADER),
        Arguments.of("no signature header", Long.toString(T), null, BODY, Rejection.MISSING_HEADER),
        Arguments.of("empty headers", "", "", BODY, Rejection.MISSING_HEADER),
        Arguments.of(
            "timestamp not a number",
            "yesterday",
            sig(SECRET, T, BODY),
            BODY,
            Rejection.MALFORMED_TIMESTAMP),
        // now - ts overflowed to a negative number for these, so they passed as fresh
        Arguments.of(
            "signed at now - 2^63",
            Long.toString(T + Long.MIN_VALUE),
            sig(SECRET, T + Long.MIN_VALUE, BODY),
            BODY,
            Rejection.STALE),
        Arguments.of(
            "signed at the smallest long",
            Long.toString(Long.MIN_VALUE),
            sig(SECRET, Long.MIN_VALUE, BODY),
            BODY,
            Rejection.STALE),
        Arguments.of(
            "signed at the largest long",
            Long.toString(Long.MAX_VALUE),
            sig(SECRET, Long.MAX_VALUE, BODY),
            BODY,
            Rejection.FUTURE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void verdict(String name, String ts, String signature, String body, Rejection expected) {
    RequestVerifier v = new RequestVerifier(new Secret(SECRET), new FakeClock(NOW));
    assertThat(v.check(ts, signature, body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(Optional.ofNullable(expected));
  }

  @Test
  void theSameSignedRequestIsTakenOnceAndAgainOnlyAfterItsWindow() {
    FakeClock clock = new FakeClock(NOW);
    RequestVerifier v = new RequestVerifier(new Secret(SECRET), clock);
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    String signature = sig(SECRET, T, BODY);
    assertThat(v.verify(Long.toString(T), signature, body).result()).isEmpty();
    assertThat(v.verify(Long.toString(T), signature, body).result()).contains(Rejection.REPLAYED);
    assertThat(v.verify(Long.toString(T + 1), sig(SECRET, T + 1, BODY), body).result())
        .isEmpty(); // a new request with the same text
    clock.advance(Duration.ofSeconds(301));
    assertThat(v.verify(Long.toString(T), signature, body).result()).contains(Rejection.STALE);
  }

  @Test
  void withoutASecretEverythingIsRefused() {
    RequestVerifier v = new RequestVerifier(new Secret(""), new FakeClock(NOW));
    assertThat(
            v.check(Long.toString(T), sig(SECRET, T, BODY), BODY.getBytes(StandardCharsets.UTF_8)))
        .contains(Rejection.NOT_CONFIGURED);
  }

  @Test
  void theSignatureIsSlacksDocumentedExample() {
    // The example from Slack's "Verifying requests from Slack" page: secret, timestamp, body and
    // the signature they publish.
    String body =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
            + "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
            + "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assertThat(RequestVerifier.sign(SECRET, "1531420618", body.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  }
}
