package dev.vigil.oncall;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vigil.config.Pos;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Local-time windows across Europe/Berlin's changes: spring forward on 2027-03-28 (02:00 CET
 * becomes 03:00 CEST, i.e. 01:00Z) and fall back on 2026-10-25 (03:00 CEST becomes 02:00 CET, i.e.
 * 01:00Z).
 */
class OncallZoneWindowTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static Window berlin(String from, String to) {
    return new Window(
        LocalTime.parse(from), LocalTime.parse(to), Set.of(), BERLIN, Pos.of("teams.yaml"));
  }

  @ParameterizedTest(name = "{0}–{1} Berlin at {2} -> {3}")
  @CsvSource(
      textBlock =
          """
      # an ordinary day (CET, UTC+1)
      02:30, 10:00, 2027-03-27T01:29:59.999Z, false
      02:30, 10:00, 2027-03-27T01:30:00Z,     true
      # spring forward: 02:30 does not exist, so the window starts at the end of the gap, 03:00 CEST = 01:00Z
      02:30, 10:00, 2027-03-28T00:59:59.999Z, false
      02:30, 10:00, 2027-03-28T01:00:00Z,     true
      02:30, 10:00, 2027-03-28T07:59:59.999Z, true
      02:30, 10:00, 2027-03-28T08:00:00Z,     false
      # fall back: 02:30 happens twice; the window starts at the first, 02:30 CEST = 00:30Z
      02:30, 10:00, 2026-10-25T00:29:59.999Z, false
      02:30, 10:00, 2026-10-25T00:30:00Z,     true
      02:30, 10:00, 2026-10-25T08:59:59.999Z, true
      02:30, 10:00, 2026-10-25T09:00:00Z,     false
      # a window ending in the repeated hour ends at its first occurrence
      22:00, 02:30, 2026-10-25T00:29:59.999Z, true
      22:00, 02:30, 2026-10-25T00:30:00Z,     false
      22:00, 02:30, 2026-10-25T01:30:00Z,     false
      # a window ending in the gap ends at the end of the gap
      22:00, 02:30, 2027-03-28T00:59:59.999Z, true
      22:00, 02:30, 2027-03-28T01:00:00Z,     false
      """)
  void daylightSavingEdges(String from, String to, String at, boolean covered) {
    assertThat(berlin(from, to).covers(Instant.parse(at))).isEqualTo(covered);
  }

  @Test
  void allDayLocalWindowLastsALocalDay() {
    Window w = berlin("00:00", "00:00");
    assertThat(w.shiftStartingOn(new TeamId("eu"), LocalDate.parse("2026-10-25")))
        .extracting(s -> Duration.between(s.start(), s.end()))
        .containsExactly(Duration.ofHours(25));
    assertThat(w.shiftStartingOn(new TeamId("eu"), LocalDate.parse("2027-03-28")))
        .extracting(s -> Duration.between(s.start(), s.end()))
        .containsExactly(Duration.ofHours(23));
  }

  @Test
  void localWindowsThatMeetStillMeetOnChangeDays() {
    Schedule s =
        new Schedule(
            List.of(
                new Team(
                    new TeamId("night"),
                    "night",
                    "",
                    BERLIN,
                    List.of(berlin("22:00", "02:30")),
                    Channels.NONE),
                new Team(
                    new TeamId("day"),
                    "day",
                    "",
                    BERLIN,
                    List.of(berlin("02:30", "22:00")),
                    Channels.NONE)),
            Overlap.FIRST,
            Optional.empty());
    assertThat(CoverageLint.spans(s, Instant.parse("2026-10-20T00:00:00Z"), Duration.ofDays(10)))
        .isEmpty();
    assertThat(CoverageLint.spans(s, Instant.parse("2027-03-24T00:00:00Z"), Duration.ofDays(10)))
        .isEmpty();
  }

  @Test
  void utcAndLocalHandoffMoveApartWithDaylightSaving() {
    Schedule s =
        new Schedule(
            List.of(
                new Team(
                    new TeamId("eu"),
                    "eu",
                    "",
                    BERLIN,
                    List.of(berlin("09:00", "17:00")),
                    Channels.NONE)),
            Overlap.FIRST,
            Optional.empty());
    Resolver r = new Resolver(s, Clock.systemUTC());
    assertThat(r.at(Instant.parse("2027-03-27T00:00:00Z"), List.of()).next())
        .contains(new Handoff(new TeamId("eu"), Instant.parse("2027-03-27T08:00:00Z")));
    assertThat(r.at(Instant.parse("2027-03-29T00:00:00Z"), List.of()).next())
        .contains(new Handoff(new TeamId("eu"), Instant.parse("2027-03-29T07:00:00Z")));
  }
}
