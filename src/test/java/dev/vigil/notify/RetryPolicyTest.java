package dev.vigil.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {
  static final Instant T = Instant.parse("2026-11-29T06:00:00Z");
  final RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(30), Duration.ofMinutes(2));

  @ParameterizedTest(
      name = "after {0} failed attempt(s): {1} s without jitter, {2} s with the most")
  @CsvSource({"1, 30, 15", "2, 60, 30", "3, 120, 60", "4, 120, 60"})
  void delaysDoubleUpToTheCapAndJitterShortensThemByAtMostHalf(
      int attempts, long noJitter, long fullJitter) {
    assertThat(policy.next(attempts, T, () -> 0.0)).contains(T.plusSeconds(noJitter));
    assertThat(policy.next(attempts, T, () -> 1.0)).contains(T.plusSeconds(fullJitter));
  }

  @Test
  void attemptsAreBounded() {
    assertThat(policy.next(5, T, () -> 0.0)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"429, true", "500, true", "503, true", "400, false", "404, false", "202, false"})
  void onlyRateLimitsAndServerErrorsAreRetryable(int status, boolean retryable) {
    assertThat(policy.retryable(status)).isEqualTo(retryable);
  }
}
