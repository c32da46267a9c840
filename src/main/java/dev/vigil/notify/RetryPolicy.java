package dev.vigil.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How an outbox intent is retried, apart from any transport: at most {@code maxAttempts} attempts,
 * waiting {@code initialDelay · 2^(attempt-1)} (capped at {@code maxDelay}) between them, each wait
 * shortened by up to half at random so that intents failing together do not retry together. Which
 * answers are worth retrying is {@link #retryable(int)}: 429, 5xx (and, outside this value,
 * timeouts and network errors).
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, Duration.ofSeconds(30), Duration.ofMinutes(5));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
  }

  /** An HTTP status worth another try: 429 (rate limited) and 5xx. */
  public boolean retryable(int status) {
    return status == 429 || status >= 500;
  }

  /**
   * When to try again after {@code attempts} failed attempts, or empty when they are used up.
   *
   * @param random a value in [0, 1) (jitter); tests pass a constant
   */
  public Optional<Instant> next(int attempts, Instant now, DoubleSupplier random) {
    if (attempts >= maxAttempts) {
      return Optional.empty();
    }
    long base = initialDelay.toMillis();
    long delay = maxDelay.toMillis();
    int shift = Math.max(0, attempts - 1);
    if (shift < 40 && base << shift > 0) {
      delay = Math.min(delay, base << shift);
    }
    long jittered = delay - (long) (delay / 2.0 * random.getAsDouble());
    return Optional.of(now.plusMillis(Math.max(1, jittered)));
  }
}
