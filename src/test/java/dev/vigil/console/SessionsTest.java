package dev.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Console sessions: signed cookies that expire, tied to the API tokens, each with a CSRF token. */
class SessionsTest {
  static final Instant T0 = Instant.parse("2026-11-29T06:00:00Z");

  static Sessions sessions(Instant now, String... tokens) {
    return new Sessions(
        Arrays.stream(tokens).map(Secret::new).toList(),
        Duration.ofHours(2),
        true,
        Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void aSessionIsValidUntilItsLifetimeEnds() {
    Sessions at0 = sessions(T0, "tok");
    Sessions.Session s = at0.issue("alice <admin>");
    String cookie = at0.value(s);
    assertThat(at0.verify(cookie)).contains(s);
    assertThat(at0.setCookie(s)).contains("Max-Age=7200", "HttpOnly", "SameSite=Strict", "Secure");
    assertThat(sessions(T0.plus(Duration.ofMinutes(119)), "tok").verify(cookie)).isPresent();
    assertThat(sessions(T0.plus(Duration.ofHours(2)), "tok").verify(cookie)).isEmpty();
  }

  @Test
  void changedCookiesAndOtherTokensAreNoSession() {
    Sessions s = sessions(T0, "tok");
    String cookie = s.value(s.issue("alice"));
    String[] p = cookie.split("\\.");
    String later = "v1." + (Long.parseLong(p[1]) + 86400) + "." + p[2] + "." + p[3] + "." + p[4];
    assertThat(s.verify(later)).as("a later expiry").isEmpty();
    String renamed = "v1." + p[1] + "." + p[2] + ".Ym9i." + p[4];
    assertThat(s.verify(renamed)).as("another name").isEmpty();
    assertThat(s.verify(cookie + "x")).isEmpty();
    assertThat(s.verify("garbage")).isEmpty();
    assertThat(s.verify(null)).isEmpty();
    assertThat(sessions(T0, "other").verify(cookie)).as("after the tokens changed").isEmpty();
    assertThat(sessions(T0, "tok", "second").verify(cookie)).isEmpty();
    assertThat(sessions(T0, "tok").verify(cookie))
        .as("another replica with the same token")
        .isPresent();
  }

  @Test
  void eachSessionHasItsOwnCsrfTokenAndTokensAreComparedInFull() {
    Sessions s = sessions(T0, "tok");
    Sessions.Session a = s.issue("");
    Sessions.Session b = s.issue("");
    assertThat(s.csrfMatches(a, s.csrf(a))).isTrue();
    assertThat(s.csrfMatches(a, s.csrf(b))).isFalse();
    assertThat(s.csrfMatches(a, null)).isFalse();
    assertThat(s.csrfMatches(a, "")).isFalse();
    assertThat(s.tokenMatches("tok")).isTrue();
    assertThat(s.tokenMatches("to")).isFalse();
    assertThat(s.open()).isFalse();
    assertThat(new Sessions(List.of(), Duration.ofHours(1), false, Clock.systemUTC()).open())
        .isTrue();
  }
}
