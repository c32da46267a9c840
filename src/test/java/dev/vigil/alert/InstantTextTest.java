package dev.vigil.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** {@link InstantText#of} writes what {@link Instant#toString()} writes, for every instant. */
class InstantTextTest {
  @Property(tries = 2000)
  void isInstantToString(
      @ForAll
          @LongRange(min = -62_167_219_200L - 86_400 * 400, max = 253_402_300_799L + 86_400 * 400)
          long seconds,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
    Instant i = Instant.ofEpochSecond(seconds, nanos);
    assertThat(InstantText.of(i)).isEqualTo(i.toString());
  }

  @Property(tries = 500)
  void isInstantToStringForTheFractionsAlertmanagerSends(
      @ForAll @LongRange(min = 1_600_000_000L, max = 2_000_000_000L) long seconds,
      @ForAll @IntRange(min = 0, max = 999) int millis,
      @ForAll @IntRange(min = 0, max = 2) int kind) {
    int nanos = kind == 0 ? 0 : kind == 1 ? millis * 1_000_000 : millis * 1_000;
    Instant i = Instant.ofEpochSecond(seconds, nanos);
    assertThat(InstantText.of(i)).isEqualTo(i.toString());
  }

  @Example
  void edges() {
    for (String s :
        new String[] {
          "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "1970-01-01T00:00:00Z",
          "1969-12-31T23:59:59.5Z",
          "2024-02-29T12:00:00.000001Z",
          "2026-11-29T05:36:32Z"
        }) {
      Instant i = Instant.parse(s);
      assertThat(InstantText.of(i)).isEqualTo(i.toString());
    }
    Instant far = Instant.parse("+10000-01-01T00:00:00Z");
    assertThat(InstantText.of(far)).isEqualTo(far.toString());
  }
}
