package dev.vigil.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The fast RFC 3339 reader agrees with java.time wherever it answers, and leaves the rest to it.
 */
class Rfc3339Test {
  static Instant reference(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(s).toInstant();
    }
  }

  @Test
  void alertmanagerShapes() {
    for (String s :
        new String[] {
          "2026-11-29T05:36:32Z",
          "2026-11-29T05:36:32.1Z",
          "2026-11-29T05:36:32.123456789Z",
          "2026-11-29T05:36:32.000Z",
          "0001-01-01T00:00:00Z",
          "2024-02-29T23:59:59.5+02:00",
          "1999-12-31T23:00:00-05:30"
        }) {
      assertThat(Rfc3339.parse(s)).as(s).isEqualTo(reference(s));
      assertThat(Rfc3339.parse(s).toString()).as(s).isEqualTo(reference(s).toString());
    }
  }

  @Test
  void whatItDoesNotReadIsLeftToJavaTime() {
    for (String s :
        new String[] {
          "2026-11-29t05:36:32z",
          "2026-11-29T05:36:60Z",
          "2026-02-30T00:00:00Z",
          "2026-11-29T05:36:32.Z",
          "2026-11-29T05:36:32.1234567891Z",
          "2026-11-29T05:36:32",
          "2026-11-29 05:36:32Z",
          "yesterday",
          "2026-11-29T24:00:00Z",
          "2026-11-29T05:36:32+18:01"
        }) {
      assertThat(Rfc3339.parse(s)).as(s).isNull();
    }
  }

  @Property(seed = "42")
  void agreesWithJavaTime(
      @ForAll @IntRange(min = 0, max = 9999) int year,
      @ForAll @IntRange(min = 1, max = 12) int month,
      @ForAll @IntRange(min = 1, max = 28) int day,
      @ForAll @IntRange(min = 0, max = 86_399) int secondOfDay,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos,
      @ForAll @IntRange(min = -1080, max = 1080) int offsetMinutes,
      @ForAll @IntRange(min = 0, max = 9) int fractionDigits) {
    String fraction =
        fractionDigits == 0 ? "" : "." + String.format("%09d", nanos).substring(0, fractionDigits);
    String zone =
        offsetMinutes == 0
            ? "Z"
            : String.format(
                "%s%02d:%02d",
                offsetMinutes < 0 ? "-" : "+",
                Math.abs(offsetMinutes) / 60,
                Math.abs(offsetMinutes) % 60);
    String s =
        String.format(
            "%04d-%02d-%02dT%02d:%02d:%02d%s%s",
            year,
            month,
            day,
            secondOfDay / 3600,
            secondOfDay / 60 % 60,
            secondOfDay % 60,
            fraction,
            zone);
    assertThat(Rfc3339.parse(s)).as(s).isEqualTo(reference(s));
  }
}
