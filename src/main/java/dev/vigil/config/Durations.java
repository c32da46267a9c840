package dev.vigil.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}, {@code
 * 2d}. A unit is always required, so {@code 30} is an error rather than a guess.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /**
   * Far beyond any timeout, snooze or window, and small enough that adding it to any date stays a
   * date.
   */
  public static final Duration MAX = Duration.ofDays(36_500);

  private Durations() {}

  public static Duration parse(String s) {
    String t = s.trim();
    if (t.matches("\\d+")) {
      throw new IllegalArgumentException(
          "duration \"" + s + "\" needs a unit, e.g. " + t + "s (units: ms, s, m, h, d)");
    }
    Matcher m = PART.matcher(t);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < t.length() && m.find(at) && m.start() == at) {
      try {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      } catch (ArithmeticException | NumberFormatException tooBig) {
        total = MAX.plusDays(1);
      }
      if (total.compareTo(MAX) > 0) {
        throw new IllegalArgumentException(
            "duration \"" + s + "\" is too long (at most " + MAX.toDays() + "d)");
      }
      at = m.end();
    }
    if (t.isEmpty() || at != t.length()) {
      throw new IllegalArgumentException(
          "\"" + s + "\" is not a duration (write e.g. 500ms, 30s, 5m, 1h30m, 2d)");
    }
    return total;
  }

  /** The shortest form that {@link #parse} reads back, e.g. {@code 1h30m}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms >= sizes[i]) {
        sb.append(ms / sizes[i]).append(units[i]);
        ms %= sizes[i];
      }
    }
    return sb.toString();
  }
}
