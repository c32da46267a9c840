package dev.vigil.alert;

import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()}, the text an alert's start is stored and remembered by, made without
 * {@code DateTimeFormatter}: ingest formats every alert's start, on the event loops and before the
 * SQLite writer thread, and the formatter was a tenth of that work. Same text for every instant;
 * years outside 0000–9999 go to {@code toString} itself.
 */
public final class InstantText {
  private static final long MIN = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  private InstantText() {}

  /** The same text as {@code instant.toString()}: UTC, fractions in groups of three digits. */
  public static String of(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN || seconds > MAX) {
      return instant.toString();
    }
    int nanos = instant.getNano();
    long days = Math.floorDiv(seconds, 86_400);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400);
    LocalDate date = LocalDate.ofEpochDay(days);
    char[] c = new char[30];
    put(c, 0, date.getYear(), 4);
    c[4] = '-';
    put(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    put(c, 8, date.getDayOfMonth(), 2);
    c[10] = 'T';
    put(c, 11, secondOfDay / 3600, 2);
    c[13] = ':';
    put(c, 14, secondOfDay / 60 % 60, 2);
    c[16] = ':';
    put(c, 17, secondOfDay % 60, 2);
    int n = 19;
    if (nanos != 0) {
      c[n++] = '.';
      if (nanos % 1_000_000 == 0) {
        put(c, n, nanos / 1_000_000, 3);
        n += 3;
      } else if (nanos % 1_000 == 0) {
        put(c, n, nanos / 1_000, 6);
        n += 6;
      } else {
        put(c, n, nanos, 9);
        n += 9;
      }
    }
    c[n++] = 'Z';
    return new String(c, 0, n);
  }

  /** {@code value} in {@code digits} decimal digits, zero-padded, at {@code c[at]}. */
  private static void put(char[] c, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
